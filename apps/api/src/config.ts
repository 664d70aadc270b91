import {
  checkStorageConfig,
  companyLimitsConfigShape,
  envBool,
  envInt,
  envList,
  parseEnv,
  sharedConfigShape,
  storageConfigShape,
} from "@kiln/core";
import { z } from "zod";
import { adminTokenWeakness } from "./auth/admin-token-strength.ts";

/** Every setting of the API process, from the environment, parsed once at boot. */
export const apiConfigSchema = z.object({
  ...sharedConfigShape,
  ...storageConfigShape,
  /**
   * How artifacts are downloaded: `stream` through the API (auth on every byte), or `presigned`, a
   * `302` to a short-lived URL of the S3 store (the bytes bypass the API). Default `stream`.
   */
  KILN_ARTIFACT_REDIRECT: z.enum(["stream", "presigned"]).default("stream"),
  /** How long a presigned artifact URL works, in seconds. Default 300. */
  KILN_ARTIFACT_URL_TTL_S: envInt(300, { min: 1, max: 604_800 }),
  PORT: envInt(3000, { min: 0, max: 65535 }),
  HOST: z.string().default("0.0.0.0"),
  /**
   * Connections the kernel queues before the API accepts them (`listen`'s backlog, capped by
   * `net.core.somaxconn`). Node's default, 511, overflows when thousands of SSE clients reconnect at
   * once (an API instance restarting): their connects are dropped and retried seconds later, or
   * refused. Default 4096.
   */
  KILN_LISTEN_BACKLOG: envInt(4096, { min: 1, max: 65_535 }),
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
  /** Event streams one API process opens at once; more wait their company's turn (StreamOpenGate). */
  KILN_SSE_CONCURRENT_OPENS: envInt(32, { min: 1, max: 10_000 }),
  KILN_IDEMPOTENCY_TTL_MS: envInt(24 * 3600 * 1000, { min: 60_000 }),
  KILN_SHUTDOWN_GRACE_MS: envInt(10_000, { min: 0 }),
  // Company limits: the defaults (KILN_LIMIT_*), and how they are enforced.
  ...companyLimitsConfigShape,
  /** The window of burst allowances (`submit-burst`, `read-burst`…), in seconds. Default 10. */
  KILN_RATE_BURST_WINDOW_S: envInt(10, { min: 1, max: 3_600 }),
  /**
   * How long Redis may take to count a request before this instance counts it alone, in memory
   * (limits then hold per instance, not fleet-wide). Default 250 ms.
   */
  KILN_RATE_LIMIT_TIMEOUT_MS: envInt(250, { min: 10, max: 10_000 }),
  /**
   * How long an instance trusts an API key it found active without reading it again: the bound on
   * a revocation whose broadcast was lost (the revoking instance could not reach Redis). 0: every
   * request reads its key from PostgreSQL. Default 5000 ms.
   */
  KILN_API_KEY_CACHE_TTL_MS: envInt(5_000, { min: 0, max: 600_000 }),
  /** How long an instance reuses a company's limits should a change announcement be lost. Default 5000 ms. */
  KILN_LIMITS_CACHE_TTL_MS: envInt(5_000, { min: 0, max: 600_000 }),
  /** How long an instance reuses a company's artifact bytes when checking submits. Default 10000 ms. */
  KILN_ARTIFACT_USAGE_TTL_MS: envInt(10_000, { min: 0, max: 3_600_000 }),
  /** How long an open SSE stream's slot outlives an API instance that died. Default 30000 ms. */
  KILN_SSE_LEASE_TTL_MS: envInt(30_000, { min: 300, max: 600_000 }),
  /** Company ids always labelled by id in per-company metrics (comma-separated). Default none. */
  KILN_METRICS_COMPANIES: envList(),
  /** How many more companies per-company metrics label by id; the rest are `other`. Default 20. */
  KILN_METRICS_COMPANY_LABELS: envInt(20, { min: 0, max: 1_000 }),
});

/** Rules that read several variables at once (they run once every variable parses). */
const checkedApiConfigSchema = apiConfigSchema.superRefine((config, ctx) => {
  checkStorageConfig(config, ctx);
  if (config.KILN_ARTIFACT_REDIRECT === "presigned" && config.KILN_STORAGE_URL?.kind !== "s3") {
    ctx.addIssue({
      code: "custom",
      path: ["KILN_ARTIFACT_REDIRECT"],
      message: "presigned URLs need an S3 store: set KILN_STORAGE_URL=s3://bucket/prefix, or use stream",
    });
  }
  if (config.NODE_ENV === "production" && config.KILN_ADMIN_TOKEN !== undefined) {
    const weakness = adminTokenWeakness(config.KILN_ADMIN_TOKEN);
    if (weakness) ctx.addIssue({ code: "custom", path: ["KILN_ADMIN_TOKEN"], message: weakness });
  }
});

export type ApiConfig = z.output<typeof apiConfigSchema>;

export const loadApiConfig = (env: Record<string, string | undefined> = process.env): ApiConfig =>
  parseEnv(checkedApiConfigSchema, env);
