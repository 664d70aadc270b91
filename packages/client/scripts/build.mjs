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

// tsc keeps the sources' specifiers: `./x.ts` becomes `./x.js`, and a private workspace package the
// types come from (`@kiln/core` or one of its subpaths, `@kiln/renderers/schemas`) becomes the
// relative path of its declarations, emitted alongside, found through that package's exports.
const typesDir = join(dist, "types");
const workspaceExports = Object.fromEntries(
  await Promise.all(
    ["core", "renderers"].map(async (name) => [
      name,
      JSON.parse(await readFile(join(root, "..", name, "package.json"), "utf8")).exports,
    ]),
  ),
);
const declarationsOf = (name, subpath) => {
  const target = workspaceExports[name][subpath ? `./${subpath}` : "."];
  if (!target)
    throw new Error(`@kiln/${name}${subpath ? `/${subpath}` : ""} is not exported by @kiln/${name}`);
  return join(typesDir, name, target.replace(/\.ts$/, ".js"));
};
const declarationFiles = async (dir) =>
  (await readdir(dir, { recursive: true, withFileTypes: true }))
    .filter((entry) => entry.isFile() && entry.name.endsWith(".d.ts"))
    .map((entry) => join(entry.parentPath, entry.name));

for (const file of await declarationFiles(typesDir)) {
  const toDeclarations = (name, subpath) => {
    const path = relative(dirname(file), declarationsOf(name, subpath)).split(sep).join("/");
    return path.startsWith(".") ? path : `./${path}`;
  };
  const source = await readFile(file, "utf8");
  const rewritten = source
    .replace(/(from\s+|import\()"(\.{1,2}\/[^"]+)\.ts"/g, '$1"$2.js"')
    .replace(
      /(from\s+|import\()"@kiln\/(core|renderers)(?:\/([\w-]+))?"/g,
      (_, before, name, subpath) => `${before}"${toDeclarations(name, subpath)}"`,
    );
  if (rewritten !== source) await writeFile(file, rewritten);
}
