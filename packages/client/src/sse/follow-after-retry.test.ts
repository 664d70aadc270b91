import { createTestHarness, type TestHarness } from "@kiln/api/src/testing/test-harness.ts";
import { afterAll, beforeAll, expect, it } from "vitest";
import { createKilnClient, type KilnClient } from "../kiln-client.ts";
import type { TypedJobEvent } from "./to-job-event.ts";

let h: TestHarness;
let client: KilnClient;

beforeAll(async () => {
  h = await createTestHarness();
  const [api] = await Promise.all([h.startApi(), h.startWorker({ KILN_PROGRESS_INTERVAL_MS: "0" })]);
  const company = await h.createCompany();
  client = createKilnClient({ baseUrl: api.baseUrl, apiKey: company.key, companyId: company.companyId });
}, 120_000);
afterAll(() => h?.close());

const collect = async (events: AsyncIterable<TypedJobEvent>) => {
  const seen: TypedJobEvent[] = [];
  for await (const event of events) seen.push(event);
  return seen;
};

it("resumed from before a failure retried by hand, followJob and waitForJob go on to the retried job's end", async () => {
  // One attempt, which the canary fails on purpose; the retry's attempt succeeds.
  const { jobId } = await client.submit({
    jobType: "canary",
    input: { durationMs: 1_500, steps: 3, failTimes: 1 },
    maxAttempts: 1,
  });
  const first = await collect(client.followJob(jobId));
  expect(first.at(-1)).toMatchObject({ type: "content_job.failed", data: { job: { status: "failed" } } });
  // The client lost its connection at the first progress event, before the failure.
  const before = first.find((event) => event.type === "content_job.progress")!.id;

  await client.retry(jobId);
  // The retried attempt takes ~1.5 s: both resume while the job lives again.
  expect(["queued", "running"]).toContain((await client.getJob(jobId)).status);
  const [resumed, waited] = await Promise.all([
    collect(client.followJob(jobId, { lastEventId: before })),
    client.waitForJob(jobId, { lastEventId: before, timeoutMs: 30_000 }),
  ]);

  // Both at the retried job's end, not at the old failure (shown side by side when either is wrong).
  expect({ followedTo: resumed.at(-1)?.type, waited: waited.status }).toEqual({
    followedTo: "content_job.done",
    waited: "done",
  });
  // The old failure is history: replayed once, then the retry's snapshot, the whole new attempt, and its end.
  const types = resumed.map((event) => event.type);
  expect(types.filter((type) => type === "content_job.failed")).toHaveLength(1);
  expect(types.indexOf("content_job.failed")).toBeLessThan(types.indexOf("content_job.started"));
  expect(resumed.at(-1)).toMatchObject({
    type: "content_job.done",
    data: { job: { status: "done", attempts: 2 } },
  });
  const logged = await h.services.events.replayJob(jobId, before);
  expect(resumed.map(({ id, type }) => ({ id, type }))).toEqual(logged.map(({ id, type }) => ({ id, type })));
  expect(waited).toMatchObject({ id: jobId, status: "done", attempts: 2 });
}, 90_000);

it("resumed from a real end's terminal event, followJob ends at once: no reconnect loop", async () => {
  const { jobId } = await client.submit({ jobType: "canary", input: { durationMs: 0, steps: 1 } });
  const first = await collect(client.followJob(jobId));
  const done = first.at(-1)!;
  expect(done.type).toBe("content_job.done");
  const started = Date.now();
  // The server answers with the terminal job's snapshot and closes.
  const resumed = await collect(
    client.followJob(jobId, { lastEventId: done.id, reconnect: { maxAttempts: 1 } }),
  );
  expect(resumed.map((event) => event.type)).toEqual(["content_job.status"]);
  expect(Date.now() - started).toBeLessThan(5_000);
});
