import { Counter, Gauge, Histogram, type Registry } from "@kiln/telemetry";

export const jobOutcomes = ["done", "failed", "retrying", "cancelled"] as const;

/**
 * How an attempt ended: `done`; `failed` for good; `retrying` (it will run again); `cancelled`
 * when it ended without owning the job any more (cancelled, or taken over by another attempt).
 */
export type JobOutcome = (typeof jobOutcomes)[number];

/** What the job processor reports about each attempt it starts. */
export interface JobObserver {
  started(jobType: string): void;
  finished(jobType: string, outcome: JobOutcome, seconds: number): void;
}

export interface JobMetricsOptions {
  registry: Registry;
  /** The job types served: their series exist (at 0) from the start, so rates work from the first job. */
  jobTypes: readonly string[];
}

/** Attempt durations, outcomes and jobs in flight of one worker process. */
export const createJobMetrics = ({ registry, jobTypes }: JobMetricsOptions): JobObserver => {
  const registers = [registry];
  const durations = new Histogram({
    name: "kiln_job_duration_seconds",
    help: "Duration of job attempts in this worker, by job type and outcome",
    labelNames: ["job_type", "outcome"] as const,
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300],
    registers,
  });
  const processed = new Counter({
    name: "kiln_jobs_processed_total",
    help: "Job attempts this worker finished, by job type and outcome",
    labelNames: ["job_type", "outcome"] as const,
    registers,
  });
  const active = new Gauge({
    name: "kiln_jobs_active",
    help: "Job attempts running in this worker now, by job type",
    labelNames: ["job_type"] as const,
    registers,
  });

  for (const job_type of jobTypes) {
    active.set({ job_type }, 0);
    for (const outcome of jobOutcomes) {
      processed.inc({ job_type, outcome }, 0);
      durations.zero({ job_type, outcome });
    }
  }

  return {
    started(jobType) {
      active.inc({ job_type: jobType });
    },
    finished(jobType, outcome, seconds) {
      active.dec({ job_type: jobType });
      processed.inc({ job_type: jobType, outcome });
      durations.observe({ job_type: jobType, outcome }, seconds);
    },
  };
};
