import { readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

// Every subpath of @kiln/core besides "." is bundled by the client and the dashboard: it must
// reach no package at run time (zod above all), only other modules of core that obey the same rule.

const packageDir = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const { exports } = JSON.parse(readFileSync(join(packageDir, "package.json"), "utf8")) as {
  exports: Record<string, string>;
};

// `import type …` is erased; `import { type A, b }` still loads the module, so it counts.
const runtimeImports = (source: string): string[] =>
  [...source.matchAll(/^\s*(?:import|export)\s+(?!type\s)(?:[^"';]*?\sfrom\s+)?"([^"]+)"/gm)].map(
    (match) => match[1] ?? "",
  );

/** The modules a file loads at run time, transitively: relative ones are followed, others returned. */
const packagesReachedFrom = (file: string, seen = new Set<string>()): string[] => {
  if (seen.has(file)) return [];
  seen.add(file);
  const reached: string[] = [];
  for (const specifier of runtimeImports(readFileSync(file, "utf8"))) {
    if (specifier.startsWith(".")) reached.push(...packagesReachedFrom(join(dirname(file), specifier), seen));
    else reached.push(specifier);
  }
  return reached;
};

describe("@kiln/core's subpath exports", () => {
  const subpaths = Object.entries(exports).filter(([subpath]) => subpath !== ".");

  it("exist", () => {
    expect(subpaths.map(([subpath]) => subpath)).toContain("./event-types");
  });

  it.each(subpaths)("%s loads no package at run time", (_subpath, target) => {
    expect(packagesReachedFrom(join(packageDir, target))).toEqual([]);
  });

  it("the check sees a package that the index loads", () => {
    expect(packagesReachedFrom(join(packageDir, exports["."] ?? ""))).toContain("zod");
  });
});
