import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";

const repoRoot = fileURLToPath(new URL("../../../", import.meta.url));

/** The CommonJS modules a fresh Node process has loaded after importing `@kiln/renderers`. */
const modulesLoadedByTheRegistry = async (): Promise<string[]> => {
  const script = `
    const { createRendererRegistry } = await import("@kiln/renderers");
    createRendererRegistry();
    const { default: Module } = await import("node:module");
    console.log(JSON.stringify(Object.keys(Module._cache)));`;
  const { stdout } = await promisify(execFile)(
    process.execPath,
    ["--import", "tsx", "--input-type=module", "-e", script],
    { cwd: repoRoot },
  );
  return JSON.parse(stdout.trim().split("\n").at(-1) ?? "[]") as string[];
};

describe("the registry keeps cheap imports cheap", () => {
  it("reading the job types' schemas loads no render engine (the API, a worker's loop)", async () => {
    const loaded = await modulesLoadedByTheRegistry();
    expect(loaded.length).toBeGreaterThan(0);
    for (const engine of ["highlight.js", "playwright-core", "sanitize-html", "@resvg", "markdown-it"]) {
      expect(
        loaded.filter((file) => file.includes(`/node_modules/${engine}/`)),
        engine,
      ).toEqual([]);
    }
  }, 60_000);
});
