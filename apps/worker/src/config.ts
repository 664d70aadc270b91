import {
  checkStorageConfig,
  envInt,
  envList,
  parseEnv,
  sharedConfigShape,
  storageConfigShape,
} from "@kiln/core";
import { chromiumDefaults } from "@kiln/renderers/chromium-defaults";
import { z } from "zod";

const renderLimitsOverrideSchema = z.record(
  z.string(),
  z
    .object({
      timeoutMs: z.int().min(100).max(3_600_000).optional(),
      memoryMb: z.int().min(32).max(16_384).optional(),
    })
    .strict(),
);

/** `KILN_RENDER_LIMITS`: JSON, per job type, overriding its renderer's own bounds. */
const envRenderLimits = () =>
  z
    .string()
    .default("{}")
    .transform((value, ctx) => {
      let parsed: unknown;
      try {
        parsed = JSON.parse(value);
      } catch {
        ctx.addIssue({ code: "custom", message: 'must be JSON such as {"chart.vega":{"timeoutMs":5000}}' });
        return z.NEVER;
      }
      const limits = renderLimitsOverrideSchema.safeParse(parsed);
      if (!limits.success) {
        ctx.addIssue({
          code: "custom",
          message: `per job type {timeoutMs?: 100–3600000, memoryMb?: 32–16384}: ${limits.error.issues[0]?.message}`,
        });
        return z.NEVER;
      }
      return limits.data;
    });

/** Every setting of a worker process, from the environment, parsed once at boot. */
export const workerConfigSchema = z.object({
  ...sharedConfigShape,
  ...storageConfigShape,
  /** Jobs run at once per job type served. */
  WORKER_CONCURRENCY: envInt(2, { min: 1, max: 64 }),
  /** Job types this worker serves (comma-separated); empty serves all. `--job-types` overrides. */
  KILN_WORKER_JOB_TYPES: envList(),
  KILN_LOCK_DURATION_MS: envInt(30_000, { min: 1_000 }),
  KILN_STALLED_INTERVAL_MS: envInt(30_000, { min: 500 }),
  KILN_RECONCILE_INTERVAL_MS: envInt(30_000, { min: 500 }),
  KILN_RECONCILE_GRACE_MS: envInt(10_000, { min: 0 }),
  KILN_SHUTDOWN_GRACE_MS: envInt(30_000, { min: 0 }),
  KILN_PROGRESS_INTERVAL_MS: envInt(250, { min: 0, max: 10_000 }),
  KILN_CHROMIUM_PATH: z.string().default(chromiumDefaults.executablePath),
  KILN_PDF_CONCURRENCY: envInt(chromiumDefaults.concurrency, { min: 1, max: 16 }),
  /** Idle PDF pages kept, each for the company whose job used it last (0: a fresh context per job). */
  KILN_CHROMIUM_WARM_PAGES: envInt(chromiumDefaults.concurrency, { min: 0, max: 64 }),
  /** Chromium's own bound on layout + print of one document (within document.pdf's render limit). */
  KILN_RENDER_TIMEOUT_MS: envInt(chromiumDefaults.renderTimeoutMs, { min: 500 }),
  /** Per job type bounds of one render, overriding the defaults in docs/guarantees.md. */
  KILN_RENDER_LIMITS: envRenderLimits(),
  /** Render threads kept warm per job type (0: started on demand, stopped after a minute idle). */
  KILN_RENDER_WARM_THREADS: envInt(0, { min: 0, max: 64 }),
  /** Port of this worker's Prometheus `/metrics` (job durations, outcomes, jobs in flight). Default 0: off. */
  KILN_WORKER_METRICS_PORT: envInt(0, { min: 0, max: 65535 }),
  /** Interface the metrics port listens on. Default `0.0.0.0`. */
  KILN_WORKER_METRICS_HOST: z.string().min(1).default("0.0.0.0"),
});

export type WorkerConfig = z.output<typeof workerConfigSchema>;

export const loadWorkerConfig = (env: Record<string, string | undefined> = process.env): WorkerConfig =>
  parseEnv(workerConfigSchema.superRefine(checkStorageConfig), env);

/** `--job-types a,b` (or `--job-types=a,b`) from the command line, when given. */
export const jobTypesFromArgs = (argv: string[]): string[] | undefined => {
  const index = argv.findIndex((arg) => arg === "--job-types" || arg.startsWith("--job-types="));
  if (index === -1) return undefined;
  const arg = argv[index] ?? "";
  const value = arg.includes("=") ? arg.slice(arg.indexOf("=") + 1) : (argv[index + 1] ?? "");
  return value
    .split(",")
    .map((part) => part.trim())
    .filter(Boolean);
};
