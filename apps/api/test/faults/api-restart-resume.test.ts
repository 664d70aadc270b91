import { eventKeys } from "@kiln/queue";
import { readSse, type SseEvent } from "@kiln/testkit";
import { afterAll, beforeAll, expect, it } from "vitest";
import { createTestHarness, type TestHarness } from "../../src/testing/test-harness.ts";
import { submitJob } from "./support.ts";

let h: TestHarness;
let company: { companyId: string; key: string };
beforeAll(async () => {
  h = await createTestHarness();
  company = await h.createCompany();
  // Only the API is killed here: the worker runs in-process.
  await h.runWorker({ KILN_PROGRESS_INTERVAL_MS: "0" });
}, 60_000);
afterAll(() => h?.close());

const follow = (baseUrl: string, path: string, lastEventId?: string) =>
  fetch(`${baseUrl}${path}`, {
    headers: { authorization: `Bearer ${company.key}`, ...(lastEventId && { "last-event-id": lastEventId }) },
  });

it("the API process is killed while a client follows a job: the client resumes on a new instance with no gap and no duplicate", async () => {
  const first = await h.startApi();
  const jobId = await submitJob(h, company, { jobType: "canary", input: { durationMs: 4000, steps: 40 } });
  const path = `/api/companies/${company.companyId}/content-jobs/${jobId}/events`;

  const before: SseEvent[] = [];
  await readSse(await follow(first.baseUrl, path), {
    timeoutMs: 20_000,
    onEvent: (event) => {
      before.push(event);
      if (before.filter((e) => e.event === "content_job.progress").length === 5)
        first.process.child.kill("SIGKILL");
    },
  });
  expect(before.filter((e) => e.event === "content_job.progress").length).toBeGreaterThanOrEqual(5);
  expect(before.some((e) => e.event === "content_job.done")).toBe(false);

  const second = await h.startApi();
  const lastEventId = before.at(-1)!.id!;
  const { events: after, ended } = await readSse(await follow(second.baseUrl, path, lastEventId), {
    timeoutMs: 20_000,
  });
  expect(ended).toBe(true);
  expect(after[0]?.event).not.toBe("content_job.status");
  expect(after.at(-1)?.event).toBe("content_job.done");

  // Everything the job published, in order, is exactly what the client saw across both connections.
  const stored = (await h.redis.xrange(
    eventKeys(h.prefix).jobStream(company.companyId, jobId),
    "-",
    "+",
  )) as [string, string[]][];
  const seen = [...before.slice(1), ...after].map((e) => e.id);
  expect(new Set(seen).size).toBe(seen.length);
  expect(seen).toEqual(stored.map(([id]) => id).filter((id) => id > before[0]!.id!));
}, 60_000);
