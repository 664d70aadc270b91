import { freePort, type SpawnedProcess, waitUntil } from "@kiln/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestHarness, type TestHarness } from "../../src/testing/test-harness.ts";
import { getJob, submitJob } from "../faults/support.ts";
import { metricLines, sampleOf } from "./support.ts";

let h: TestHarness;
let acme: { companyId: string; key: string };
let worker: SpawnedProcess;
let metricsUrl: string;

beforeAll(async () => {
  h = await createTestHarness();
  acme = await h.createCompany("Acme");
  const port = await freePort();
  metricsUrl = `http://127.0.0.1:${port}/metrics`;
  worker = await h.startWorker(
    { KILN_WORKER_METRICS_PORT: String(port), KILN_WORKER_METRICS_HOST: "127.0.0.1" },
    ["--job-types", "canary"],
  );
}, 90_000);
afterAll(() => h?.close());

const scrape = async () => metricLines(await fetch(metricsUrl));

const runToEnd = async (body: unknown) => {
  const jobId = await submitJob(h, acme, body);
  return waitUntil(
    async () => {
      const job = await getJob(h, acme, jobId);
      return ["done", "failed", "cancelled"].includes(job.status) && job;
    },
    20_000,
    `job ${jobId} to end`,
  );
};

describe("worker /metrics (KILN_WORKER_METRICS_PORT)", () => {
  it("before any job: process metrics and every outcome of the served job type at 0", async () => {
    const lines = await scrape();
    expect(sampleOf(lines, "kiln_process_cpu_user_seconds_total")).toBeGreaterThan(0);
    expect(lines).toContain('kiln_jobs_active{job_type="canary"} 0');
    for (const outcome of ["done", "failed", "retrying", "cancelled"]) {
      expect(lines).toContain(`kiln_jobs_processed_total{job_type="canary",outcome="${outcome}"} 0`);
    }
    // Only the job types this worker serves.
    expect(lines.some((line) => line.includes('job_type="image.card"'))).toBe(false);
  });

  it("a canary job that succeeds counts as done, with its duration observed", async () => {
    expect((await runToEnd({ jobType: "canary", input: { durationMs: 0, steps: 1 } })).status).toBe("done");
    const lines = await waitUntil(
      async () => {
        const current = await scrape();
        return (
          sampleOf(current, 'kiln_jobs_processed_total{job_type="canary",outcome="done"}') === 1 && current
        );
      },
      5_000,
      "done counted",
    );
    expect(lines).toContain('kiln_jobs_processed_total{job_type="canary",outcome="done"} 1');
    expect(lines).toContain('kiln_job_duration_seconds_count{job_type="canary",outcome="done"} 1');
    expect(
      sampleOf(lines, 'kiln_job_duration_seconds_sum{job_type="canary",outcome="done"}'),
    ).toBeGreaterThan(0);
    expect(lines).toContain('kiln_jobs_active{job_type="canary"} 0');
    expect(lines).toContain('kiln_jobs_processed_total{job_type="canary",outcome="failed"} 0');
  });

  it("a failed attempt that will be retried counts as retrying; one out of attempts, as failed", async () => {
    expect(
      (await runToEnd({ jobType: "canary", input: { durationMs: 0, steps: 1, failTimes: 1 } })).status,
    ).toBe("done");
    expect(
      (
        await runToEnd({
          jobType: "canary",
          input: { durationMs: 0, steps: 1, failTimes: 5 },
          maxAttempts: 1,
        })
      ).status,
    ).toBe("failed");
    const lines = await waitUntil(
      async () => {
        const current = await scrape();
        return (
          sampleOf(current, 'kiln_jobs_processed_total{job_type="canary",outcome="failed"}') === 1 && current
        );
      },
      5_000,
      "failure counted",
    );
    expect(lines).toContain('kiln_jobs_processed_total{job_type="canary",outcome="retrying"} 1');
    expect(lines).toContain('kiln_jobs_processed_total{job_type="canary",outcome="done"} 2');
    expect(lines).toContain('kiln_jobs_processed_total{job_type="canary",outcome="failed"} 1');
  });

  it("answers /healthz for a liveness probe", async () => {
    const response = await fetch(metricsUrl.replace("/metrics", "/healthz"));
    expect(response.status).toBe(200);
    expect(await response.text()).toBe("ok\n");
  });

  it("answers 404 to anything but /metrics and /healthz", async () => {
    expect((await fetch(metricsUrl.replace("/metrics", "/"))).status).toBe(404);
    expect((await fetch(metricsUrl, { method: "POST" })).status).toBe(404);
  });

  it("closes with the worker on SIGTERM", async () => {
    expect(await worker.stop("SIGTERM")).toBe(0);
    await expect(fetch(metricsUrl)).rejects.toThrow();
  });
});
