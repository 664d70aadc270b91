import { readFile, rm } from "node:fs/promises";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { build, type Plugin } from "esbuild";
import { repoRoot } from "./repo-root.ts";

/**
 * The Kiln processes tests spawn most, compiled once per test run into one JavaScript module each,
 * so that Node + tsx does not compile and resolve hundreds of TypeScript files on every start: a
 * worker is ready in 2.1–2.3 s instead of 2.5–3.1 s, an API listens in 1.6–1.8 s instead of
 * 2.0–2.2 s (quiet machine; most of the rest is loading npm packages). `npm start` (the first-run
 * test) still runs them through tsx, as operators do.
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

/** Bundles one entry (a path from the repository's root) into `outfile`. */
const bundleEntry = async (entry: string, outfile: string) => {
  await build({
    entryPoints: [join(repoRoot, entry)],
    outfile,
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node20",
    logLevel: "warning",
    plugins: [bundleKilnSources],
  });
};

/**
 * Bundles every entry in `bundledEntries` and names them in this process's environment, which the
 * test workers it starts inherit; `spawnKilnProcess` then starts those entries from their bundles.
 * `remove()` deletes them once the run is over.
 */
export const bundleProcessEntries = async () => {
  // A folder per run: runs side by side never share (or delete) each other's bundles.
  const runDir = join(outDir, String(process.pid));
  const files = bundledEntries.map((entry) =>
    join(runDir, entry.replaceAll("/", "-").replace(/\.ts$/, ".mjs")),
  );
  await Promise.all(bundledEntries.map((entry, index) => bundleEntry(entry, files[index]!)));
  process.env[bundlesVariable] = JSON.stringify(
    Object.fromEntries(bundledEntries.map((entry, index) => [entry, files[index]])),
  );
  return {
    async remove() {
      delete process.env[bundlesVariable];
      await rm(runDir, { recursive: true, force: true });
    },
  };
};

/** The bundle a test run made for `entry`, if it made one. */
export const bundleFor = (entry: string): string | undefined => {
  const named = process.env[bundlesVariable];
  if (!named) return undefined;
  return (JSON.parse(named) as Record<string, string>)[entry];
};
