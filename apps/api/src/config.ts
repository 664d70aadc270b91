import { envInt, parseEnv, sharedConfigShape } from "@kiln/core";
import { z } from "zod";

/** Every setting of the API process, from the environment, parsed once at boot. */
export const apiConfigSchema = z.object({
  ...sharedConfigShape,
  PORT: envInt(3000, { min: 0, max: 65535 }),
  HOST: z.string().default("0.0.0.0"),
  KILN_ADMIN_TOKEN: z.string().min(16, "must be at least 16 characters").optional(),
  /**
   * When set, `GET /metrics` requires `Authorization: Bearer <this token>`. Default: unset, /metrics
   * is open (keep it off the public network, or set this).
   */
  KILN_METRICS_TOKEN: z.string().min(16, "must be at least 16 characters").optional(),
  KILN_STREAM_TOKEN_SECRET: z.string().min(32, "must be at least 32 characters").optional(),
  KILN_STREAM_TOKEN_TTL_S: envInt(300, { min: 10, max: 300 }),
  KILN_DATA_DIR: z.string().default(".data"),
  NODE_ENV: z.enum(["development", "production", "test"]).default("development"),
  KILN_BODY_LIMIT_BYTES: envInt(1024 * 1024, { min: 1024, max: 64 * 1024 * 1024 }),
  KILN_SSE_PING_MS: envInt(15_000, { min: 100, max: 120_000 }),
  KILN_IDEMPOTENCY_TTL_MS: envInt(24 * 3600 * 1000, { min: 60_000 }),
  KILN_SHUTDOWN_GRACE_MS: envInt(10_000, { min: 0 }),
});

export type ApiConfig = z.output<typeof apiConfigSchema>;

export const loadApiConfig = (env: Record<string, string | undefined> = process.env): ApiConfig =>
  parseEnv(apiConfigSchema, env);
