import type { ParseArgsConfig } from "node:util";

/** A command-line mistake: reported with a hint to `--help`, exit code 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}

export type OptionSpecs = NonNullable<ParseArgsConfig["options"]>;
export type FlagValues = Record<string, string | boolean | (string | boolean)[] | undefined>;

/** Flags every command takes: where the API is and who is calling. */
export const globalOptions = {
  url: { type: "string" },
  "api-key": { type: "string" },
  "company-id": { type: "string" },
  "timeout-ms": { type: "string" },
  json: { type: "boolean" },
  help: { type: "boolean", short: "h" },
} satisfies OptionSpecs;

export const stringFlag = (values: FlagValues, name: string): string | undefined => {
  const value = values[name];
  return typeof value === "string" ? value : undefined;
};

export const boolFlag = (values: FlagValues, name: string): boolean => values[name] === true;

export const intFlag = (values: FlagValues, name: string, range: { min: number; max: number }) => {
  const raw = stringFlag(values, name);
  if (raw === undefined) return undefined;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < range.min || value > range.max) {
    throw new UsageError(
      `--${name} must be a whole number from ${range.min} to ${range.max} (got ${JSON.stringify(raw)})`,
    );
  }
  return value;
};

/** The positional arguments a command needs, by name, or a usage error naming the first one missing. */
export const requirePositionals = (positionals: string[], names: string[]): string[] => {
  const missing = names[positionals.length];
  if (missing) throw new UsageError(`missing <${missing}>`);
  if (positionals.length > names.length) {
    throw new UsageError(`unexpected argument ${JSON.stringify(positionals[names.length])}`);
  }
  return positionals;
};
