import { readFile } from "node:fs/promises";
import { UsageError } from "./cli-flags.ts";

/** `--input`: inline JSON, `@path/to/file.json`, or `@-` for standard input. */
export const readInput = async (value: string, stdin: () => Promise<string>): Promise<unknown> => {
  let text = value;
  let source = "--input";
  if (value.startsWith("@")) {
    const path = value.slice(1);
    source = path === "-" ? "standard input" : path;
    try {
      text = path === "-" ? await stdin() : await readFile(path, "utf8");
    } catch (error) {
      const reason = (error as { code?: string }).code ?? (error as Error).message;
      throw new UsageError(`cannot read --input file ${JSON.stringify(path)} (${reason})`);
    }
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new UsageError(`${source} is not valid JSON: ${(error as Error).message}`);
  }
};
