import { z } from "zod";
import { type CompanyLimits, runningCapsSchema } from "./company-limits.ts";
import { envInt } from "./config.ts";

/** `KILN_LIMIT_MAX_RUNNING_PER_JOB_TYPE`: a number, or JSON caps by job type with a `*` for the rest. */
const envRunningCaps = (fallback: number) =>
  z
    .string()
    .default(String(fallback))
    .transform((value, ctx) => {
      let parsed: unknown;
      try {
        parsed = JSON.parse(value);
      } catch {
        parsed = undefined;
      }
      const caps = runningCapsSchema.safeParse(parsed);
      if (!caps.success || (typeof caps.data === "object" && caps.data["*"] === undefined)) {
        ctx.addIssue({
          code: "custom",
          message: 'must be a whole number ≥ 1, or JSON such as {"*":10,"document.pdf":2} (with "*")',
        });
        return z.NEVER;
      }
      return caps.data;
    });

const perSecond = (fallback: number) => envInt(fallback, { min: 1, max: 1_000_000 });
const burst = (fallback: number) => envInt(fallback, { min: 0, max: 1_000_000 });

/**
 * The default limits of every company, from the environment: what a company gets until an admin
 * sets its own. Shared by every process that enforces limits (API, workers).
 */
export const companyLimitsConfigShape = {
  /** Submits (and retries) per second per API key. Default 20. */
  KILN_LIMIT_SUBMITS_PER_SECOND_PER_KEY: perSecond(20),
  /** Extra submits per key per burst window, beyond the steady rate. Default 40. */
  KILN_LIMIT_SUBMIT_BURST_PER_KEY: burst(40),
  /** Submits (and retries) per second per company, all its keys together. Default 50. */
  KILN_LIMIT_SUBMITS_PER_SECOND_PER_COMPANY: perSecond(50),
  /** Extra submits per company per burst window. Default 100. */
  KILN_LIMIT_SUBMIT_BURST_PER_COMPANY: burst(100),
  /** Every other company request per second per API key (reads, cancels, stream opens). Default 100. */
  KILN_LIMIT_READS_PER_SECOND_PER_KEY: perSecond(100),
  /** Extra other requests per key per burst window. Default 200. */
  KILN_LIMIT_READ_BURST_PER_KEY: burst(200),
  /** Queued + running jobs of one company. Default 10000. */
  KILN_LIMIT_MAX_ACTIVE_JOBS: envInt(10_000, { min: 1, max: 100_000_000 }),
  /** Running jobs of one company per job type, fleet-wide. Default 10 (each type). */
  KILN_LIMIT_MAX_RUNNING_PER_JOB_TYPE: envRunningCaps(10),
  /** Open SSE streams of one company across every API instance. Default 100. */
  KILN_LIMIT_MAX_OPEN_STREAMS: envInt(100, { min: 0, max: 1_000_000 }),
  /** Artifact bytes one company keeps; submits beyond are refused. Default 10 GiB. */
  KILN_LIMIT_MAX_ARTIFACT_BYTES: envInt(10 * 1024 ** 3, { min: 0, max: Number.MAX_SAFE_INTEGER }),
};

export type CompanyLimitsConfig = z.output<z.ZodObject<typeof companyLimitsConfigShape>>;

/** The default limits, read from a parsed configuration. */
export const companyLimitDefaultsOf = (config: CompanyLimitsConfig): CompanyLimits => ({
  submitsPerSecondPerKey: config.KILN_LIMIT_SUBMITS_PER_SECOND_PER_KEY,
  submitBurstPerKey: config.KILN_LIMIT_SUBMIT_BURST_PER_KEY,
  submitsPerSecondPerCompany: config.KILN_LIMIT_SUBMITS_PER_SECOND_PER_COMPANY,
  submitBurstPerCompany: config.KILN_LIMIT_SUBMIT_BURST_PER_COMPANY,
  readsPerSecondPerKey: config.KILN_LIMIT_READS_PER_SECOND_PER_KEY,
  readBurstPerKey: config.KILN_LIMIT_READ_BURST_PER_KEY,
  maxActiveJobs: config.KILN_LIMIT_MAX_ACTIVE_JOBS,
  maxRunningPerJobType: config.KILN_LIMIT_MAX_RUNNING_PER_JOB_TYPE,
  maxOpenStreams: config.KILN_LIMIT_MAX_OPEN_STREAMS,
  maxArtifactBytes: config.KILN_LIMIT_MAX_ARTIFACT_BYTES,
});
