import { createHash } from "node:crypto";
import { mkdir, rename, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { build, type Plugin } from "esbuild";

const entry = fileURLToPath(new URL("./run-render-task.ts", import.meta.url));
// Inside the package, so the bundle resolves its npm imports from the same node_modules.
const outDir = fileURLToPath(new URL("../../.render-thread/", import.meta.url));

/** npm packages stay imports (loaded by Node as they are); Kiln's own TypeScript is bundled. */
const keepPackagesExternal: Plugin = {
  name: "keep-packages-external",
  setup(pluginBuild) {
    pluginBuild.onResolve({ filter: /^[^./]/ }, (args) =>
      args.path.startsWith("@kiln/") ? undefined : { path: args.path, external: true },
    );
  },
};

const exists = (file: string) =>
  stat(file).then(
    () => true,
    () => false,
  );

/**
 * Compiles the render thread's code (the renderers and the workspace packages they import) into
 * one JavaScript module, so a thread starts in a fraction of the time a TypeScript loader needs.
 * Built from the sources when a worker starts, never stale; named by its content, so workers
 * sharing the folder share the file. Resolves with the module's file URL.
 */
export const bundleRenderThread = async (): Promise<string> => {
  const result = await build({
    entryPoints: [entry],
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node20",
    write: false,
    logLevel: "silent",
    plugins: [keepPackagesExternal],
  });
  const code = result.outputFiles[0]?.contents;
  if (!code) throw new Error("esbuild produced no output for the render thread");
  const hash = createHash("sha256").update(code).digest("hex").slice(0, 16);
  const file = join(outDir, `render-thread-${hash}.mjs`);
  if (!(await exists(file))) {
    await mkdir(outDir, { recursive: true });
    const partial = `${file}.${process.pid}.partial`;
    await writeFile(partial, code);
    await rename(partial, file);
  }
  return pathToFileURL(file).href;
};
