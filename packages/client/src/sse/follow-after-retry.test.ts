import { createTestHarness, type TestHarness } from "@kiln/api/testing";
import { afterAll, beforeAll, expect, it } from "vitest";
import { createKilnClient, type KilnClient } from "../kiln-client.ts";
import type { TypedJobEvent } from "./to-job-event.ts";

let h: TestHarness;
let client: KilnClient;
let connect: { baseUrl: string; apiKey: string; companyId: string };

beforeAll(async () => {
  h = await createTestHarness();
  const [api] = await Promise.all([h.serve(), h.runWorker({ KILN_PROGRESS_INTERVAL_MS: "0" })]);
  const company = await h.createCompany();
  connect = { baseUrl: api.baseUrl, apiKey: company.key, companyId: company.companyId };
  client = createKilnClient(connect);
}, 120_000);
afterAll(() => h?.close());

const collect = async (events: AsyncIterable<TypedJobEvent>) => {
  const seen: TypedJobEvent[] = [];
  for await (const event of events) seen.push(event);
  return seen;
};

/**
 * A job whose one attempt the canary fails on purpose, then retried by hand: its retried attempt
 * takes ~1.5 s, so a stream resumed at once opens while the job lives again. Returns the id of its
 * first progress event, where a client lost its connection before the failure.
 */
const failThenRetry = async () => {
  const { jobId } = await client.submit({
    jobType: "canary",
    input: { durationMs: 1_500, steps: 3, failTimes: 1 },
    maxAttempts: 1,
  });
  const first = await collect(client.followJob(jobId));
  expect(first.at(-1)).toMatchObject({ type: "content_job.failed", data: { job: { status: "failed" } } });
  const before = first.find((event) => event.type === "content_job.progress")!.id;
  await client.retry(jobId);
  expect(["queued", "running"]).toContain((await client.getJob(jobId)).status);
  return { jobId, before };
};

/** Ends a stream's body with a network error right after its first `event` message. */
const dropAfter = (body: ReadableStream<Uint8Array>, event: string) => {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  const encoder = new TextEncoder();
  let text = "";
  let passed = 0; // the length of `text` already passed on
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      const chunk = await reader.read();
      if (chunk.done) return controller.close();
      text += decoder.decode(chunk.value, { stream: true });
      const at = text.indexOf(`event: ${event}\n`);
      const end = at < 0 ? -1 : text.indexOf("\n\n", at);
      if (end < 0) {
        passed = text.length;
        return controller.enqueue(chunk.value);
      }
      // Up to that message's end, then the drop.
      controller.enqueue(encoder.encode(text.slice(passed, end + 2)));
      await reader.cancel();
      controller.error(new TypeError("terminated"));
    },
    cancel: () => reader.cancel(),
  });
};

/** A client whose first event stream drops right after `event`; `streams` lists each one's `Last-Event-ID`. */
const cuttingClient = (event: string) => {
  const streams: (string | null)[] = [];
  const cutting = createKilnClient({
    ...connect,
    fetch: async (input, init) => {
      const response = await fetch(input, init);
      if (!String(input).includes("/events")) return response;
      streams.push(new Headers(init?.headers).get("last-event-id"));
      if (streams.length > 1 || !response.body) return response;
      return new Response(dropAfter(response.body, event), response);
    },
  });
  return { cutting, streams };
};

it("resumed from before a failure retried by hand, followJob and waitForJob go on to the retried job's end", async () => {
  const { jobId, before } = await failThenRetry();
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
  const logged = await h.services.events.replayJob(connect.companyId, jobId, before);
  expect(resumed.map(({ id, type }) => ({ id, type }))).toEqual(logged.map(({ id, type }) => ({ id, type })));
  expect(waited).toMatchObject({ id: jobId, status: "done", attempts: 2 });
}, 90_000);

it("at a real end followJob ends: resumed from its terminal event, or dropped right after it (one reconnect, no loop)", async () => {
  const { jobId } = await client.submit({ jobType: "canary", input: { durationMs: 0, steps: 1 } });
  // From the stream's start: the job may be done before a fresh stream's snapshot.
  const first = await collect(client.followJob(jobId, { lastEventId: "0-0" }));
  const done = first.at(-1)!;
  expect(done.type).toBe("content_job.done");
  const started = Date.now();
  // The server answers with the terminal job's snapshot and closes.
  const resumed = await collect(
    client.followJob(jobId, { lastEventId: done.id, reconnect: { maxAttempts: 1 } }),
  );
  expect(resumed.map((event) => event.type)).toEqual(["content_job.status"]);
  expect(Date.now() - started).toBeLessThan(5_000);

  // Dropped right after the real end: one reconnect, which the terminal job's snapshot ends.
  const { cutting, streams } = cuttingClient("content_job.done");
  const followed = await collect(
    cutting.followJob(jobId, { lastEventId: "0-0", reconnect: { maxAttempts: 1 } }),
  );
  expect(followed.slice(-2).map((event) => event.type)).toEqual(["content_job.done", "content_job.status"]);
  expect(streams).toEqual(["0-0", done.id]);
});

it("a connection dropped right after the old terminal event reconnects and follows to the current end", async () => {
  const { jobId, before } = await failThenRetry();
  const { cutting, streams } = cuttingClient("content_job.failed");
  const resumed = await collect(
    cutting.followJob(jobId, { lastEventId: before, reconnect: { initialDelayMs: 50 } }),
  );
  const failed = resumed.find((event) => event.type === "content_job.failed");
  // The second stream resumed after the old failure: the drop was not taken for the end.
  expect(streams).toEqual([before, failed?.id]);
  expect(resumed.at(-1)).toMatchObject({ type: "content_job.done", data: { job: { attempts: 2 } } });
  const logged = await h.services.events.replayJob(connect.companyId, jobId, before);
  expect(resumed.map((event) => event.id)).toEqual(logged.map((event) => event.id));
}, 90_000);
