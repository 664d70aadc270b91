import { z } from "zod";

/** A configuration value that stops the process at boot, naming the variable. */
export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ConfigError";
  }
}

/** Parses `env` with one zod object schema; every bad variable is named in the error. */
export const parseEnv = <S extends z.ZodObject>(
  schema: S,
  env: Record<string, string | undefined>,
): z.output<S> => {
  const result = schema.safeParse(env);
  if (result.success) return result.data;
  const lines = result.error.issues.map((issue) => {
    const name = issue.path.join(".");
    const value = env[name];
    const shown = value === undefined ? "(unset)" : JSON.stringify(value);
    return `  ${name}=${shown}: ${issue.message}`;
  });
  throw new ConfigError(`Invalid configuration:\n${lines.join("\n")}`);
};

/** Env values are strings: these read them as the types the code wants. */
export const envInt = (fallback: number, range?: { min?: number; max?: number }) =>
  z
    .string()
    .default(String(fallback))
    .transform((value, ctx) => {
      const parsed = Number(value);
      if (!Number.isInteger(parsed)) {
        ctx.addIssue({ code: "custom", message: "must be a whole number" });
        return z.NEVER;
      }
      if (range?.min !== undefined && parsed < range.min) {
        ctx.addIssue({ code: "custom", message: `must be at least ${range.min}` });
        return z.NEVER;
      }
      if (range?.max !== undefined && parsed > range.max) {
        ctx.addIssue({ code: "custom", message: `must be at most ${range.max}` });
        return z.NEVER;
      }
      return parsed;
    });

export const envBool = (fallback: boolean) =>
  z
    .enum(["true", "false", "1", "0", "yes", "no"])
    .default(fallback ? "true" : "false")
    .transform((value) => value === "true" || value === "1" || value === "yes");

export const envUrl = (fallback: string, protocols: string[]) =>
  z
    .string()
    .default(fallback)
    .refine(
      (value) => {
        try {
          return protocols.includes(new URL(value).protocol);
        } catch {
          return false;
        }
      },
      `must be a URL starting with ${protocols.join(" or ")}//`,
    );

export const logLevelSchema = z
  .enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"])
  .default("info");

/** Splits a comma-separated list; empty means "all". */
export const envList = () =>
  z
    .string()
    .default("")
    .transform((value) =>
      value
        .split(",")
        .map((part) => part.trim())
        .filter(Boolean),
    );
