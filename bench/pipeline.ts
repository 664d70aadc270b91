// Each job type through the whole pipeline, for real: an API process and one worker process
// (default concurrency) against PostgreSQL and Redis, measured from the outside over HTTP, each
// job's end seen on the company SSE stream as a dashboard sees it.
//   npm run bench -- pipeline
// Submit rates, end-to-end latency and worker throughput against raw baselines: `baselines`.
import { createRendererRegistry, sampleInputs as rendererSampleInputs } from "@kiln/renderers";
import { readSse, type SseEvent } from "@kiln/testkit";
import { startBenchKiln } from "./bench-kiln.ts";
import { percentile, round, runPool } from "./stats.ts";

/** Each job type's representative input (the one the dashboard offers), the canary made instant. */
const sampleInputs: Record<string, unknown> = {
  ...rendererSampleInputs,
  canary: { durationMs: 0, steps: 1 },
};

export const runPipelineBench = async () => {
  const kiln = await startBenchKiln();
  try {
    const { companyId, key } = await kiln.createCompany("bench");
    const jobsPath = `/api/companies/${companyId}/content-jobs`;

    // Every job's terminal event, seen on the company stream, as a dashboard would.
    const finishedAt = new Map<string, number>();
    const waiters = new Map<string, () => void>();
    const stream = await kiln.call("GET", `/api/companies/${companyId}/events`, key);
    void readSse(stream, {
      timeoutMs: 30 * 60_000,
      until: () => false,
      onEvent: (event: SseEvent) => {
        if (event.event !== "content_job.done" && event.event !== "content_job.failed") return;
        const jobId = event.data.jobId as string;
        finishedAt.set(jobId, performance.now());
        waiters.get(jobId)?.();
      },
    });
    const finished = (jobId: string) =>
      finishedAt.has(jobId) ? Promise.resolve() : new Promise<void>((resolve) => waiters.set(jobId, resolve));

    const submit = async (jobType: string) => {
      const started = performance.now();
      const response = await kiln.call("POST", jobsPath, key, { jobType, input: sampleInputs[jobType] });
      if (response.status !== 202)
        throw new Error(`submit ${jobType}: ${response.status} ${await response.text()}`);
      const { jobId } = (await response.json()) as { jobId: string };
      return { jobId, started };
    };

    await kiln.startWorker();
    // Each job type through the worker at its default concurrency.
    const perType: Record<string, unknown> = {};
    for (const jobType of createRendererRegistry().keys()) {
      const count = jobType === "canary" ? 100 : 50;
      const start = performance.now();
      const batch = await runPool(count, 8, () => submit(jobType));
      await Promise.all(batch.map((job) => finished(job.jobId)));
      const seconds = (performance.now() - start) / 1000;
      const latencies = batch.map((job) => finishedAt.get(job.jobId)! - job.started);
      perType[jobType] = {
        jobs: count,
        jobsPerSecond: round(count / seconds),
        latencyP50Ms: round(percentile(latencies, 50)),
        latencyP95Ms: round(percentile(latencies, 95)),
      };
    }
    return { throughputByJobType: perType };
  } finally {
    await kiln.close();
  }
};
