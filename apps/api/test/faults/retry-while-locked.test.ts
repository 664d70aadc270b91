import { eventKeys } from "@kiln/queue";
import { waitUntil } from "@kiln/testkit";
import { afterAll, beforeAll, expect, it } from "vitest";
import { createTestHarness, type TestHarness } from "../../src/testing/test-harness.ts";
import { getJob, submitJob } from "./support.ts";

let h: TestHarness;
let company: { companyId: string; key: string };
let worker: Awaited<ReturnType<TestHarness["startWorker"]>>;
beforeAll(async () => {
  h = await createTestHarness();
  company = await h.createCompany();
  // The reconciler runs once at start, then not for ten minutes: it cannot be what rescues the job.
  worker = await h.startWorker({ KILN_PROGRESS_INTERVAL_MS: "0", KILN_RECONCILE_INTERVAL_MS: "600000" });
}, 60_000);
afterAll(() => h?.close());

const command = (jobId: string, verb: "cancel" | "retry") =>
  h.request("POST", `/api/companies/${company.companyId}/content-jobs/${jobId}/${verb}`, {
    key: company.key,
  });

it("a retry that arrives while a paused worker still holds the old attempt runs as soon as that attempt lets go", async () => {
  const jobId = await submitJob(h, company, { jobType: "canary", input: { durationMs: 3_000, steps: 30 } });
  await waitUntil(
    async () => (await getJob(h, company, jobId)).progress > 0,
    20_000,
    "the first attempt to report progress",
  );

  worker.child.kill("SIGSTOP");
  let resumedAt = 0;
  try {
    expect((await command(jobId, "cancel")).status).toBe(202);
    const retried = await command(jobId, "retry");
    expect(retried.status).toBe(202);
    expect(await retried.json()).toMatchObject({ status: "queued", attempts: 1 });
    // The retry could neither remove nor replace the old attempt's queue entry: its worker holds the lock.
    expect(await h.services.queues.stateOf("canary", jobId)).toBe("active");
  } finally {
    worker.child.kill("SIGCONT");
    resumedAt = Date.now();
  }

  await waitUntil(
    async () => {
      const job = await getJob(h, company, jobId);
      return job.status === "running" && job.attempts === 2;
    },
    5_000,
    "the retried job to run again",
  );
  const runningAgainMs = Date.now() - resumedAt;
  expect(runningAgainMs).toBeLessThan(5_000);

  await waitUntil(
    async () => (await getJob(h, company, jobId)).status === "done",
    15_000,
    "the retried job to finish",
  );
  const doneMs = Date.now() - resumedAt;
  expect(await getJob(h, company, jobId)).toMatchObject({ status: "done", attempts: 2, progress: 100 });

  // The cancelled attempt recorded nothing after the cancel: one cancel, then the new attempt's start and its single done.
  const entries = (await h.redis.xrange(
    eventKeys(h.prefix).jobStream(company.companyId, jobId),
    "-",
    "+",
  )) as [string, string[]][];
  const types = entries.map(([, fields]) => fields[1]);
  const afterCancel = types.slice(types.indexOf("content_job.cancelled"));
  expect(afterCancel.filter((type) => type !== "content_job.progress")).toEqual([
    "content_job.cancelled",
    "content_job.status",
    "content_job.started",
    "content_job.done",
  ]);
  console.info(`retry-while-locked: running again ${runningAgainMs} ms, done ${doneMs} ms after SIGCONT`);
}, 60_000);
