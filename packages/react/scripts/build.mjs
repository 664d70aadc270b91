// Builds the publishable package into dist/ (root postinstall and `npm pack`): one ES module and
// its declarations. React and @kiln/client are peers, never bundled.
import { execFileSync } from "node:child_process";
import { readdir, readFile, rm, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const root = fileURLToPath(new URL("..", import.meta.url));
const dist = join(root, "dist");
const require = createRequire(import.meta.url);

await rm(dist, { recursive: true, force: true });
await build({
  entryPoints: [join(root, "src/index.ts")],
  outfile: join(dist, "index.js"),
  bundle: true,
  format: "esm",
  platform: "neutral",
  target: ["node20", "es2022"],
  external: ["react", "@kiln/client"],
  legalComments: "none",
  logLevel: "warning",
});
execFileSync(
  process.execPath,
  [require.resolve("typescript/bin/tsc"), "-p", join(root, "tsconfig.build.json")],
  {
    stdio: "inherit",
  },
);

// tsc keeps the sources' `./x.ts` specifiers; the published declarations name the `.js` files.
for (const entry of await readdir(join(dist, "types"), { recursive: true, withFileTypes: true })) {
  if (!entry.isFile() || !entry.name.endsWith(".d.ts")) continue;
  const file = join(entry.parentPath, entry.name);
  const source = await readFile(file, "utf8");
  const rewritten = source.replace(/(from\s+|import\()"(\.{1,2}\/[^"]+)\.ts"/g, '$1"$2.js"');
  if (rewritten !== source) await writeFile(file, rewritten);
}
