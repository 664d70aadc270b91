import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const entryPoint = fileURLToPath(new URL("./client/main.ts", import.meta.url));

export interface DashboardBundle {
  /** The browser code: one ES module. */
  script: string;
  /** Its byte size, reported in the docs and by tests. */
  bytes: number;
}

/**
 * Bundles the dashboard's browser modules (plain TypeScript, no framework) into one minified ES
 * module, in memory. Building when the API starts rather than in a separate step means the served
 * code can never be stale and neither `npm ci` nor the Docker image needs an extra step.
 */
export const buildDashboardBundle = async (): Promise<DashboardBundle> => {
  const result = await build({
    entryPoints: [entryPoint],
    bundle: true,
    format: "esm",
    platform: "browser",
    target: "es2022",
    minify: true,
    write: false,
    legalComments: "none",
    logLevel: "silent",
  });
  const output = result.outputFiles[0];
  if (!output) throw new Error("esbuild produced no dashboard bundle");
  return { script: output.text, bytes: output.contents.byteLength };
};
