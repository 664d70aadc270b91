import { envBool, envInt, parseEnv } from "@kiln/core";
import { z } from "zod";

/** An unset variable and an empty one (`DATABASE_URL=` copied from .env.example) mean the same. */
const optional = z
  .string()
  .optional()
  .transform((value) => (value === "" ? undefined : value));

/** What `npm start` reads itself; the API and the worker parse their own settings. */
export const startConfigSchema = z.object({
  /** Unset: whatever answers on KILN_DEV_PG_PORT, else an embedded PostgreSQL (not in production). */
  DATABASE_URL: optional,
  /** Unset: whatever answers on KILN_DEV_REDIS_PORT, else the machine's redis-server (not in production). */
  REDIS_URL: optional,
  NODE_ENV: z.enum(["development", "production", "test"]).default("development"),
  KILN_DATA_DIR: z.string().min(1).default(".data"),
  /** Default: `$KILN_DATA_DIR/artifacts`. */
  STORAGE_DIR: optional,
  KILN_ADMIN_TOKEN: optional,
  /** Port of the development PostgreSQL (looked for, or started) when DATABASE_URL is unset. Default 5432. */
  KILN_DEV_PG_PORT: envInt(5432, { min: 1, max: 65535 }),
  /** Port of the development Redis (looked for, or started) when REDIS_URL is unset. Default 6379. */
  KILN_DEV_REDIS_PORT: envInt(6379, { min: 1, max: 65535 }),
  /** A redis-server binary to run; default: the first on PATH (or valkey-server). */
  KILN_DEV_REDIS_SERVER: optional,
  /** With no redis-server on the machine: download the Redis source and build it (make, cc). Default true. */
  KILN_DEV_REDIS_BUILD: envBool(true),
  PATH: z.string().default(""),
});

export type StartConfig = z.output<typeof startConfigSchema>;

export const loadStartConfig = (env: Record<string, string | undefined> = process.env): StartConfig =>
  parseEnv(startConfigSchema, env);
