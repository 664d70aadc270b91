import { readSse, type SseEvent } from "@kiln/testkit";
import { afterAll, beforeAll, expect, it } from "vitest";
import { createTestHarness, type TestHarness } from "../../src/testing/test-harness.ts";
import { getJob, submitJob, terminalEvents } from "./support.ts";

let h: TestHarness;
let company: { companyId: string; key: string };
const fastStall = {
  KILN_LOCK_DURATION_MS: "2000",
  KILN_STALLED_INTERVAL_MS: "1000",
  KILN_PROGRESS_INTERVAL_MS: "0",
};

beforeAll(async () => {
  h = await createTestHarness();
  company = await h.createCompany();
}, 60_000);
afterAll(() => h?.close());

it("a worker SIGKILLed mid-job: another worker completes it after the stall window, the retry is visible", async () => {
  const first = await h.startWorker(fastStall);
  const jobId = await submitJob(h, company, {
    jobType: "canary",
    input: { durationMs: 3000, steps: 30 },
    maxAttempts: 3,
  });
  const stream = await h.request("GET", `/api/companies/${company.companyId}/content-jobs/${jobId}/events`, {
    key: company.key,
  });
  let killed = false;
  let second: Promise<unknown> | undefined;
  const onEvent = (event: SseEvent) => {
    if (!killed && event.event === "content_job.progress" && (event.data.progress as number) >= 10) {
      killed = true;
      first.child.kill("SIGKILL");
      // Only the killed worker needs a process of its own; the one that takes over runs in-process.
      second = h.runWorker(fastStall);
    }
  };
  const { events, ended } = await readSse(stream, { onEvent, timeoutMs: 40_000 });
  await second;
  expect(killed).toBe(true);
  expect(ended).toBe(true);
  const retrying = events.filter((e) => e.event === "content_job.retrying");
  expect(retrying).toHaveLength(1);
  expect(retrying[0]!.data).toMatchObject({ attempt: 2, error: { code: "worker_lost" } });
  expect(terminalEvents(events)).toHaveLength(1);
  expect(events.at(-1)).toMatchObject({
    event: "content_job.done",
    data: { job: { status: "done", attempts: 2 } },
  });
  expect(await getJob(h, company, jobId)).toMatchObject({ status: "done", attempts: 2, progress: 100 });
}, 60_000);
