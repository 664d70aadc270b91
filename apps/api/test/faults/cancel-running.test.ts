import { eventKeys } from "@kiln/queue";
import { readSse, waitUntil } from "@kiln/testkit";
import { afterAll, beforeAll, expect, it } from "vitest";
import { createTestHarness, type TestHarness } from "../../src/testing/test-harness.ts";
import { getJob, submitJob } from "./support.ts";

let h: TestHarness;
let company: { companyId: string; key: string };
beforeAll(async () => {
  h = await createTestHarness();
  company = await h.createCompany();
  await h.runWorker({ KILN_PROGRESS_INTERVAL_MS: "0" });
}, 60_000);
afterAll(() => h?.close());

it("cancelling a job running on a worker (told through Redis) aborts its renderer within 2 s and ends its stream", async () => {
  const jobId = await submitJob(h, company, { jobType: "canary", input: { durationMs: 20_000, steps: 200 } });
  const stream = await h.request("GET", `/api/companies/${company.companyId}/content-jobs/${jobId}/events`, {
    key: company.key,
  });
  let cancelledAt = 0;
  const reading = readSse(stream, {
    timeoutMs: 15_000,
    onEvent: (event) => {
      if (cancelledAt === 0 && event.event === "content_job.progress") {
        cancelledAt = Date.now();
        void Promise.resolve(
          h.request("POST", `/api/companies/${company.companyId}/content-jobs/${jobId}/cancel`, {
            key: company.key,
          }),
        ).then(async (response) => {
          expect(response.status).toBe(202);
          expect(await response.json()).toMatchObject({ id: jobId, status: "cancelled" });
        });
      }
    },
  });
  const { events, ended } = await reading;
  expect(ended).toBe(true);
  expect(events.at(-1)).toMatchObject({
    event: "content_job.cancelled",
    data: { job: { status: "cancelled" } },
  });

  // The renderer stopped: its attempt let go of the queue entry (the render thread is gone), no
  // progress was recorded more than 2 s after the cancel, and the row stays cancelled.
  await waitUntil(
    async () => (await h.services.queues.stateOf("canary", jobId)) !== "active",
    15_000,
    "the cancelled attempt to let go of its queue entry",
  );
  const entries = (await h.redis.xrange(
    eventKeys(h.prefix).jobStream(company.companyId, jobId),
    "-",
    "+",
  )) as [string, string[]][];
  const progressTimes = entries
    .filter(([, fields]) => fields[1] === "content_job.progress")
    .map(([id]) => Number(id.split("-")[0]));
  expect(Math.max(...progressTimes)).toBeLessThan(cancelledAt + 2_000);
  expect(
    entries.some(([, fields]) => fields[1] === "content_job.failed" || fields[1] === "content_job.done"),
  ).toBe(false);
  expect(await getJob(h, company, jobId)).toMatchObject({ status: "cancelled" });

  const again = await h.request("POST", `/api/companies/${company.companyId}/content-jobs/${jobId}/cancel`, {
    key: company.key,
  });
  expect(again.status).toBe(409);
}, 40_000);
