import type { Logger } from "@kiln/core";
import { createMetricsRegistry } from "@kiln/telemetry";
import { createJobMetrics, type JobObserver } from "./job-metrics.ts";
import { startMetricsServer } from "./metrics-server.ts";

export interface WorkerMetricsOptions {
  /** `KILN_WORKER_METRICS_PORT`; 0 disables metrics altogether. */
  port: number;
  host?: string;
  /** The job types this worker serves. */
  jobTypes: readonly string[];
  logger: Logger;
}

export interface WorkerMetrics {
  /** Hand to the job processor; absent when metrics are disabled. */
  observer?: JobObserver;
  close(): Promise<void>;
}

/** A worker's Prometheus metrics (process and job metrics) on its own `/metrics` port, when one is set. */
export const startWorkerMetrics = async ({
  port,
  host,
  jobTypes,
  logger,
}: WorkerMetricsOptions): Promise<WorkerMetrics> => {
  if (port === 0) return { close: async () => {} };
  const registry = createMetricsRegistry();
  const observer = createJobMetrics({ registry, jobTypes });
  const server = await startMetricsServer({ registry, port, host, logger });
  return { observer, close: () => server.close() };
};
