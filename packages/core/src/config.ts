import { z } from "zod";
import { parseRedisUrl } from "./redis-url.ts";

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

/**
 * Settings every Kiln process shares: where PostgreSQL and Redis are, and the Redis key prefix.
 * Where the artifacts are is `storageConfigShape` (storage-config.ts), spread beside it.
 */
export const sharedConfigShape = {
  DATABASE_URL: envUrl("postgresql://postgres@127.0.0.1:5432/kiln", ["postgresql:", "postgres:"]),
  /** One node (`redis://`), or a cluster (`redis+cluster://host:port,host:port…`): see redis-url.ts. */
  REDIS_URL: z
    .string()
    .default("redis://127.0.0.1:6379")
    .superRefine((value, ctx) => {
      try {
        parseRedisUrl(value);
      } catch (error) {
        ctx.addIssue({ code: "custom", message: (error as Error).message });
      }
    }),
  // Plain: Kiln adds the hash tags itself (`{jobs.<type>}`, `{<companyId>}`) after the prefix; a
  // tag in the prefix would put every key in one slot of a cluster.
  KILN_REDIS_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9_.-]{1,64}$/, "letters, digits, _ . - only")
    .default("kiln"),
  LOG_LEVEL: logLevelSchema,
  KILN_EVENT_RETENTION_MS: envInt(24 * 3600 * 1000, { min: 1_000 }),
  KILN_EVENT_RETENTION_COUNT: envInt(10_000, { min: 100 }),
  KILN_RETRY_BACKOFF_MS: envInt(1_000, { min: 10 }),
};
