import { envBool, envInt, parseEnv, sharedConfigShape } from "@kiln/core";
import { z } from "zod";
import { adminTokenWeakness } from "./auth/admin-token-strength.ts";

/** Every setting of the API process, from the environment, parsed once at boot. */
export const apiConfigSchema = z.object({
  ...sharedConfigShape,
  PORT: envInt(3000, { min: 0, max: 65535 }),
  HOST: z.string().default("0.0.0.0"),
  KILN_ADMIN_TOKEN: z.string().min(16, "must be at least 16 characters").optional(),
  /**
   * When set, `GET /metrics` requires `Authorization: Bearer <this token>`. Default: unset, then
   * /metrics is open in development and closed in production (see `KILN_METRICS_PUBLIC`).
   */
  KILN_METRICS_TOKEN: z.string().min(16, "must be at least 16 characters").optional(),
  /** Production without `KILN_METRICS_TOKEN`: `true` opens /metrics to anyone. Default: false. */
  KILN_METRICS_PUBLIC: envBool(false),
  /**
   * How long the job counts by status (a `GROUP BY` on the jobs table) are reused between scrapes;
   * concurrent scrapes always share one query. 0: every scrape queries. Default 15000 ms.
   */
  KILN_METRICS_JOB_COUNTS_TTL_MS: envInt(15_000, { min: 0, max: 3_600_000 }),
  /** Bull Board (`/admin/queues`) shows the queues but refuses every action. Default: true. */
  KILN_BULL_BOARD_READONLY: envBool(true),
  KILN_STREAM_TOKEN_SECRET: z.string().min(32, "must be at least 32 characters").optional(),
  KILN_STREAM_TOKEN_TTL_S: envInt(300, { min: 10, max: 300 }),
  KILN_DATA_DIR: z.string().default(".data"),
  NODE_ENV: z.enum(["development", "production", "test"]).default("development"),
  KILN_BODY_LIMIT_BYTES: envInt(1024 * 1024, { min: 1024, max: 64 * 1024 * 1024 }),
  KILN_SSE_PING_MS: envInt(15_000, { min: 100, max: 120_000 }),
  KILN_IDEMPOTENCY_TTL_MS: envInt(24 * 3600 * 1000, { min: 60_000 }),
  KILN_SHUTDOWN_GRACE_MS: envInt(10_000, { min: 0 }),
});

/** Rules that read several variables at once (they run once every variable parses). */
const checkedApiConfigSchema = apiConfigSchema.superRefine((config, ctx) => {
  if (config.NODE_ENV === "production" && config.KILN_ADMIN_TOKEN !== undefined) {
    const weakness = adminTokenWeakness(config.KILN_ADMIN_TOKEN);
    if (weakness) ctx.addIssue({ code: "custom", path: ["KILN_ADMIN_TOKEN"], message: weakness });
  }
});

export type ApiConfig = z.output<typeof apiConfigSchema>;

export const loadApiConfig = (env: Record<string, string | undefined> = process.env): ApiConfig =>
  parseEnv(checkedApiConfigSchema, env);
