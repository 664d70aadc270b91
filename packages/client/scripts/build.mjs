// Builds the publishable package into dist/ (run by the root postinstall, so `npm ci` and CI have
// it, and before `npm pack`):
//   dist/index.js   the SDK: one ES module for Node 20+ and browsers
//   dist/cli.js     the `kiln` CLI (Node), started by bin/kiln.js
//   dist/types/     declarations, with the types of @kiln/core and of the renderers' input schemas
//                   (@kiln/renderers/schemas), both private workspace packages
// @kiln/core's code is bundled in (the renderers' schemas are only ever imported as types); zod and
// eventsource-parser stay dependencies. Plain JavaScript on purpose: it runs before anything is built.
import { execFileSync } from "node:child_process";
import { readdir, readFile, rm, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { dirname, join, relative, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const root = fileURLToPath(new URL("..", import.meta.url));
const dist = join(root, "dist");
const external = ["zod", "eventsource-parser"];
const require = createRequire(import.meta.url);

await rm(dist, { recursive: true, force: true });

const bundle = (entry, outfile, platform) =>
  build({
    entryPoints: [join(root, entry)],
    outfile: join(dist, outfile),
    bundle: true,
    format: "esm",
    platform,
    target: ["node20", "es2022"],
    external,
    legalComments: "none",
    logLevel: "warning",
  });

await Promise.all([
  bundle("src/index.ts", "index.js", "neutral"),
  bundle("src/cli/main.ts", "cli.js", "node"),
]);

execFileSync(
  process.execPath,
  [require.resolve("typescript/bin/tsc"), "-p", join(root, "tsconfig.build.json")],
  {
    stdio: "inherit",
  },
);

// tsc keeps the sources' specifiers: `./x.ts` becomes `./x.js`, and the workspace modules the types
// come from (not published) become relative paths to their declarations, emitted alongside.
const typesDir = join(dist, "types");
const bundledDeclarations = {
  "@kiln/core": join(typesDir, "core", "src", "index.js"),
  "@kiln/renderers/schemas": join(typesDir, "renderers", "src", "schemas.js"),
};
const declarationFiles = async (dir) =>
  (await readdir(dir, { recursive: true, withFileTypes: true }))
    .filter((entry) => entry.isFile() && entry.name.endsWith(".d.ts"))
    .map((entry) => join(entry.parentPath, entry.name));
const relativeSpecifier = (from, to) => {
  const path = relative(dirname(from), to).split(sep).join("/");
  return path.startsWith(".") ? path : `./${path}`;
};

for (const file of await declarationFiles(typesDir)) {
  const source = await readFile(file, "utf8");
  let rewritten = source.replace(/(from\s+|import\()"(\.{1,2}\/[^"]+)\.ts"/g, '$1"$2.js"');
  for (const [specifier, target] of Object.entries(bundledDeclarations)) {
    rewritten = rewritten.replaceAll(`from "${specifier}"`, `from "${relativeSpecifier(file, target)}"`);
    rewritten = rewritten.replaceAll(
      `import("${specifier}")`,
      `import("${relativeSpecifier(file, target)}")`,
    );
  }
  if (rewritten !== source) await writeFile(file, rewritten);
}
