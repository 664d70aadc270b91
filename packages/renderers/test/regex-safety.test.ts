import { readdirSync } from "node:fs";
import { join } from "node:path";
import { check } from "recheck";
import { describe, expect, it } from "vitest";
import { findRegexes, listTypeScriptFiles, type SourceRegex } from "./find-regexes.ts";

const repositoryRoot = join(import.meta.dirname, "../../..");

/** Source folders of every app and package: where code that can see user input lives. */
const sourceDirectories = ["apps", "packages"].flatMap((parent) =>
  readdirSync(join(repositoryRoot, parent), { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => join(repositoryRoot, parent, entry.name, "src")),
);

/**
 * Regexes the ReDoS checker flags that never see user input. Each names its file and the
 * pattern as written, so moving one keeps it allowed and changing it gets it checked again.
 */
const allowList: { file: string; text: string; reason: string }[] = [
  {
    file: "packages/client/src/transport.ts",
    text: "/\\/+$/",
    reason: "trims the SDK caller's own configured base URL, in the caller's process",
  },
  {
    file: "packages/renderers/src/testing/poppler.ts",
    text: "/^([^:]+):\\s*(.*)$/",
    reason: "test helper: parses pdfinfo's report on PDFs the tests rendered",
  },
];

/** Test files match what the code under test produced; they never run in the API or a worker. */
const isTestCode = (location: string) => /\.test\.ts:\d+$/.test(location);

const isAllowed = (regex: SourceRegex) =>
  isTestCode(regex.location) ||
  allowList.some(({ file, text }) => regex.location.startsWith(`${file}:`) && regex.text === text);

/**
 * "safe", or why the pattern can backtrack super-linearly. The automaton checker is exact and
 * deterministic; patterns it cannot model (lookarounds, backreferences) go to the fuzzer.
 */
const verdict = async (source: string, flags: string): Promise<string> => {
  let diagnostics = await check(source, flags, { checker: "automaton", timeout: 30_000 });
  if (diagnostics.status === "unknown" && diagnostics.error.kind === "unsupported") {
    diagnostics = await check(source, flags, { checker: "fuzz", timeout: 30_000 });
  }
  if (diagnostics.status === "safe") return "safe";
  if (diagnostics.status === "vulnerable") return `vulnerable (${diagnostics.complexity.summary})`;
  return `unknown (${diagnostics.error.kind})`;
};

const regexes = sourceDirectories
  .flatMap((directory) => listTypeScriptFiles(directory))
  .flatMap((file) => findRegexes(file, repositoryRoot));

describe("regular expressions in apps/*/src and packages/*/src", () => {
  it("finds the regexes the code holds, literals and RegExp calls alike", () => {
    expect(regexes.length).toBeGreaterThan(50);
    expect(regexes.map((regex) => regex.location)).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^packages\/renderers\/src\/markdown\/highlight-code\.ts:\d+$/),
        expect.stringMatching(/^packages\/db\/src\/migrate\/cli\.test\.ts:\d+$/),
      ]),
    );
  });

  it("backtrack at most linearly, unless allow-listed with a reason", { timeout: 120_000 }, async () => {
    const problems: string[] = [];
    // One at a time: the fuzzer's budget is in time, and checks racing each other skew it.
    for (const regex of regexes.filter((candidate) => !isAllowed(candidate))) {
      // A pattern built at run time cannot be checked here: build it from literals, or allow-list it.
      const result =
        regex.source === undefined ? "computed at run time" : await verdict(regex.source, regex.flags);
      if (result !== "safe") problems.push(`${regex.location} ${regex.text}: ${result}`);
    }
    expect(problems).toEqual([]);
  });

  it("allow-lists only regexes that exist and that the checker flags", async () => {
    for (const entry of allowList) {
      const regex = regexes.find(
        (candidate) => candidate.location.startsWith(`${entry.file}:`) && candidate.text === entry.text,
      );
      expect(regex, `${entry.file} ${entry.text}`).toBeDefined();
      expect(await verdict(regex!.source!, regex!.flags)).not.toBe("safe");
    }
  });

  it("flags the leading-doctype regex that froze workers (so the check can fail)", async () => {
    // The regex content-security-policy.ts used before: 40 spaces took minutes.
    expect(await verdict("^\\uFEFF?(?:\\s+|<!--[\\s\\S]*?-->)*<!doctype[^>]*>", "i")).toMatch(
      /^vulnerable \(exponential/,
    );
    expect(await verdict("(a+)+$", "")).toMatch(/^vulnerable/);
    expect(await verdict("^<!doctype", "i")).toBe("safe");
  });
});
