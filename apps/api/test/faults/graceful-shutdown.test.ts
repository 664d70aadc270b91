import { readSse } from "@kiln/testkit";
import { afterAll, beforeAll, expect, it } from "vitest";
import { createTestHarness, type TestHarness } from "../../src/testing/test-harness.ts";
import { submitJob } from "./support.ts";

let h: TestHarness;
let company: { companyId: string; key: string };
beforeAll(async () => {
  h = await createTestHarness();
  company = await h.createCompany();
}, 60_000);
afterAll(() => h?.close());

it("SIGTERM during a render: the worker finishes the job, exits 0, and no retry or stall is counted", async () => {
  const worker = await h.startWorker({ KILN_SHUTDOWN_GRACE_MS: "10000", KILN_PROGRESS_INTERVAL_MS: "0" });
  const jobId = await submitJob(h, company, { jobType: "canary", input: { durationMs: 2000, steps: 10 } });
  const stream = await h.request("GET", `/api/companies/${company.companyId}/content-jobs/${jobId}/events`, {
    key: company.key,
  });
  let exit: Promise<number | null> | undefined;
  const { events } = await readSse(stream, {
    timeoutMs: 20_000,
    onEvent: (event) => {
      if (!exit && event.event === "content_job.progress") exit = worker.stop("SIGTERM");
    },
  });
  expect(await exit).toBe(0);
  expect(events.some((e) => e.event === "content_job.retrying")).toBe(false);
  expect(events.at(-1)).toMatchObject({ event: "content_job.done", data: { job: { attempts: 1 } } });
}, 40_000);

it("SIGTERM past the grace period: the job is handed back as a retry that uses no attempt of its budget, and completed elsewhere", async () => {
  const worker = await h.startWorker({ KILN_SHUTDOWN_GRACE_MS: "300", KILN_PROGRESS_INTERVAL_MS: "0" });
  // maxAttempts 1: were the interrupted attempt counted against the budget, the job would fail.
  const jobId = await submitJob(h, company, {
    jobType: "canary",
    input: { durationMs: 3000, steps: 30 },
    maxAttempts: 1,
  });
  const stream = await h.request("GET", `/api/companies/${company.companyId}/content-jobs/${jobId}/events`, {
    key: company.key,
  });
  let exit: Promise<number | null> | undefined;
  const { events } = await readSse(stream, {
    timeoutMs: 30_000,
    onEvent: (event) => {
      if (!exit && event.event === "content_job.progress") {
        exit = worker.stop("SIGTERM").then(async (code) => {
          // The worker that completes it elsewhere needs no process of its own.
          await h.runWorker({ KILN_PROGRESS_INTERVAL_MS: "0" });
          return code;
        });
      }
    },
  });
  expect(await exit).toBe(0);
  const retrying = events.filter((e) => e.event === "content_job.retrying");
  expect(retrying).toHaveLength(1);
  expect(retrying[0]!.data).toMatchObject({ attempt: 2, error: { code: "worker_interrupted" } });
  expect(events.at(-1)).toMatchObject({
    event: "content_job.done",
    data: { job: { attempts: 2, maxAttempts: 1 } },
  });
}, 40_000);
