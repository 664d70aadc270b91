import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";

const resultsDir = new URL("./results/", import.meta.url).pathname;

/** Writes a run's results to bench/results/<name>-<iso>.json (not committed); returns the path. */
export const writeResults = async (name: string, results: unknown): Promise<string> => {
  await mkdir(resultsDir, { recursive: true });
  const path = join(resultsDir, `${name}-${new Date().toISOString().replaceAll(":", "-")}.json`);
  await writeFile(path, `${JSON.stringify(results, null, 2)}\n`);
  return path;
};
