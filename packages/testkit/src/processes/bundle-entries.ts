import { createHash } from "node:crypto";
import { mkdir, readFile, rename, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { build, type Plugin } from "esbuild";
import { repoRoot } from "./repo-root.ts";

/**
 * The Kiln processes tests spawn most, compiled once per test run into one JavaScript module each.
 * Node then starts one in well under a second of CPU, where Node + tsx spends 2.5–3.5 s compiling
 * and resolving hundreds of TypeScript files on every start. `npm start` (the first-run test) still
 * runs them through tsx, as operators do.
 */
export const bundledEntries = ["apps/api/src/main.ts", "apps/worker/src/main.ts"] as const;

/** How a test run tells its workers where the bundles are: `{ [entry]: file }`, JSON. */
export const bundlesVariable = "KILN_TEST_PROCESS_BUNDLES";

// Inside the repository, so a bundle resolves its npm imports from the same node_modules.
const outDir = join(repoRoot, "node_modules", ".cache", "kiln-process-bundles");

/**
 * npm packages stay imports, loaded by Node as they are; Kiln's own TypeScript is bundled, each
 * module keeping its own `import.meta.url` (the source file's), so the assets, migrations and
 * thread entries it finds beside itself are found as under tsx.
 */
const bundleKilnSources: Plugin = {
  name: "bundle-kiln-sources",
  setup(pluginBuild) {
    pluginBuild.onResolve({ filter: /^[^./]/ }, (args) =>
      args.path.startsWith("@kiln/") ? undefined : { path: args.path, external: true },
    );
    pluginBuild.onLoad({ filter: /\.ts$/ }, async (args) => {
      const source = await readFile(args.path, "utf8");
      const url = JSON.stringify(pathToFileURL(args.path).href);
      return { contents: source.replaceAll("import.meta.url", url), loader: "ts" };
    });
  },
};

const exists = (file: string) =>
  stat(file).then(
    () => true,
    () => false,
  );

/** Bundles one entry (a path from the repository's root); resolves with the bundle's path. */
export const bundleEntry = async (entry: string): Promise<string> => {
  const result = await build({
    entryPoints: [join(repoRoot, entry)],
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node20",
    write: false,
    logLevel: "silent",
    plugins: [bundleKilnSources],
  });
  const code = result.outputFiles[0]?.contents;
  if (!code) throw new Error(`esbuild produced no output for ${entry}`);
  const hash = createHash("sha256").update(code).digest("hex").slice(0, 16);
  const name = entry.replaceAll("/", "-").replace(/\.ts$/, "");
  const file = join(outDir, `${name}-${hash}.mjs`);
  if (!(await exists(file))) {
    await mkdir(outDir, { recursive: true });
    const partial = `${file}.${process.pid}.partial`;
    await writeFile(partial, code);
    await rename(partial, file);
  }
  return file;
};

/**
 * Bundles every entry in `bundledEntries` and names them in this process's environment, which the
 * test workers it starts inherit; `spawnKilnProcess` then starts those entries from their bundles.
 */
export const bundleProcessEntries = async () => {
  const files = await Promise.all(bundledEntries.map((entry) => bundleEntry(entry)));
  process.env[bundlesVariable] = JSON.stringify(
    Object.fromEntries(bundledEntries.map((entry, index) => [entry, files[index]])),
  );
};

/** The bundle a test run made for `entry`, if it made one. */
export const bundleFor = (entry: string): string | undefined => {
  const named = process.env[bundlesVariable];
  if (!named) return undefined;
  return (JSON.parse(named) as Record<string, string>)[entry];
};
