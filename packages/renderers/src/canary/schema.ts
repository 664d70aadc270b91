import { z } from "zod";

export const canaryInputSchema = z
  .object({
    durationMs: z
      .int()
      .min(0)
      .max(600_000)
      .describe("Total time the job sleeps, in milliseconds, split evenly across the steps (0–600000)."),
    steps: z
      .int()
      .min(1)
      .max(1000)
      .describe("Number of steps; progress is reported after each one (1–1000)."),
    failTimes: z
      .int()
      .min(0)
      .max(10)
      .default(0)
      .describe(
        "The first `failTimes` attempts fail with a retryable `canary_failure` after doing their work, to exercise retries (0–10, default 0).",
      ),
    busyMs: z
      .int()
      .min(0)
      .max(60_000)
      .optional()
      .describe(
        "Time spent spinning the CPU without yielding before the steps, in milliseconds (0–60000, default 0): shows a CPU-bound render cannot stall the worker.",
      ),
    allocateMb: z
      .int()
      .min(0)
      .max(4096)
      .optional()
      .describe(
        "MiB of memory held while the job runs (0–4096, default 0): exercises the per-render memory cap.",
      ),
  })
  .strict()
  .describe("A synthetic job that sleeps, reports progress and writes canary.json: a pipeline check.");

export type CanaryInput = z.output<typeof canaryInputSchema>;
