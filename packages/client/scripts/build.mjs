// Builds the publishable package into dist/ (run by the root postinstall, so `npm ci` and CI have
// it, and before `npm pack`):
//   dist/index.js   the SDK: one ES module for Node 20+ and browsers
//   dist/cli.js     the `kiln` CLI (Node), started by bin/kiln.js
//   dist/types/     declarations, with the types of @kiln/core and of the renderers' input schemas
// @kiln/core is a private workspace package, so its code and types are bundled in; zod and
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

// tsc keeps the sources' specifiers: `./x.ts` becomes `./x.js`, and `@kiln/core` (not published)
// or one of its subpaths becomes the relative path of its bundled declarations, by core's exports.
const typesDir = join(dist, "types");
const coreExports = JSON.parse(await readFile(join(root, "..", "core", "package.json"), "utf8")).exports;
const coreModule = (subpath) => {
  const target = coreExports[subpath ? `./${subpath}` : "."];
  if (!target) throw new Error(`@kiln/core/${subpath} is not exported by @kiln/core`);
  return join(typesDir, "core", target.replace(/\.ts$/, ".js"));
};
const declarationFiles = async (dir) =>
  (await readdir(dir, { recursive: true, withFileTypes: true }))
    .filter((entry) => entry.isFile() && entry.name.endsWith(".d.ts"))
    .map((entry) => join(entry.parentPath, entry.name));

for (const file of await declarationFiles(typesDir)) {
  const toCore = (subpath) => {
    const path = relative(dirname(file), coreModule(subpath)).split(sep).join("/");
    return path.startsWith(".") ? path : `./${path}`;
  };
  const source = await readFile(file, "utf8");
  const rewritten = source
    .replace(/(from\s+|import\()"(\.{1,2}\/[^"]+)\.ts"/g, '$1"$2.js"')
    .replace(
      /(from\s+|import\()"@kiln\/core(?:\/([\w-]+))?"/g,
      (_, before, subpath) => `${before}"${toCore(subpath)}"`,
    );
  if (rewritten !== source) await writeFile(file, rewritten);
}
