import { jobEventTypes, maxEventDataBytes } from "@kiln/core";
import { eventKeys } from "@kiln/queue";
import { readSse, type SseEvent, waitUntil } from "@kiln/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestHarness, type TestHarness } from "../src/testing/test-harness.ts";
import { submitJob } from "./faults/support.ts";

// Issue 7, reproduction 5: every event embedded the whole Job, input included, in two Redis
// streams kept 24 h (20 submits of 490 KB grew Redis by 60 MB). Events now carry a JobSummary.

/** Stated bound: a whole job's event history (company stream + job stream), in Redis bytes. */
const redisBytesPerJobBound = 16 * 1024;
const inputChars = 490_000;

interface Company {
  companyId: string;
  key: string;
}
type StreamEntry = [id: string, fields: string[]];

let h: TestHarness;
let keys: ReturnType<typeof eventKeys>;

beforeAll(async () => {
  h = await createTestHarness();
  keys = eventKeys(h.prefix);
  await h.runWorker({ KILN_PROGRESS_INTERVAL_MS: "0" });
}, 90_000);
afterAll(() => h?.close());

const jobsPath = (company: Company) => `/api/companies/${company.companyId}/content-jobs`;

/** Follows a job's stream until it ends (its terminal event, or the snapshot of a finished job). */
const followToEnd = async (company: Company, jobId: string) => {
  const response = await h.request("GET", `${jobsPath(company)}/${jobId}/events`, { key: company.key });
  expect(response.status).toBe(200);
  const { events, ended } = await readSse(response, { timeoutMs: 60_000 });
  expect(ended).toBe(true);
  return events;
};

/** The status a job's stream ended with: its terminal event, or the snapshot of a finished job. */
const finalStatus = async (company: Company, jobId: string) =>
  (await followToEnd(company, jobId)).at(-1)!.data.job?.status;

const memoryUsage = async (key: string) => Number(await h.redis.call("MEMORY", "USAGE", key, "SAMPLES", "0"));

/** The events of a stream key as stored: type and parsed data. */
const storedEvents = async (key: string) =>
  ((await h.redis.xrange(key, "-", "+")) as StreamEntry[]).map(([id, fields]) => ({
    id,
    type: fields[1]!,
    raw: fields[3]!,
    data: JSON.parse(fields[3]!) as Record<string, unknown> & { job?: Record<string, unknown> },
  }));

const hasInput = (data: { job?: Record<string, unknown> } & Record<string, unknown>) =>
  "input" in data || (data.job !== undefined && "input" in data.job);

/** A one-page HTML document of `chars` characters, nearly all of them in a comment. */
const htmlOf = (chars: number) => {
  const head = "<p>big input, small page</p><!--";
  const filler = "lorem ipsum dolor sit amet ".repeat(Math.ceil(chars / 27));
  return `${head}${filler.slice(0, chars - head.length - 3)}-->`;
};

describe("Redis memory per job is bounded", () => {
  it(`a job with a 490 KB input, run to done, holds < ${redisBytesPerJobBound / 1024} KiB of events in Redis`, async () => {
    const company = await h.createCompany("Big");
    const jobId = await submitJob(h, company, {
      jobType: "document.pdf",
      input: { html: htmlOf(inputChars) },
    });
    const streamed = await followToEnd(company, jobId);
    expect(streamed.at(-1)!.data.job).toMatchObject({ status: "done" });

    const companyKey = keys.companyStream(company.companyId);
    const jobKey = keys.jobStream(company.companyId, jobId);
    const stored = await storedEvents(jobKey);
    expect(stored.map((event) => event.type)).toEqual(
      expect.arrayContaining(["content_job.created", "content_job.started", "content_job.done"]),
    );
    expect((await storedEvents(companyKey)).map((event) => event.id)).toEqual(
      stored.map((event) => event.id),
    );
    for (const event of stored) {
      expect(hasInput(event.data), event.type).toBe(false);
      expect(Buffer.byteLength(event.raw)).toBeLessThanOrEqual(maxEventDataBytes);
    }
    const bytes = (await memoryUsage(companyKey)) + (await memoryUsage(jobKey));
    console.info(`redis bytes for a 490 KB-input job: ${bytes} (${stored.length} events on each stream)`);
    expect(bytes).toBeLessThan(redisBytesPerJobBound);

    // The same history with the whole Job embedded, as events were before: the bound catches it.
    const whole = (await (
      await h.request("GET", `${jobsPath(company)}/${jobId}`, { key: company.key })
    ).json()) as {
      input: unknown;
    };
    const embedded = [`${h.prefix}:embedded:company`, `${h.prefix}:embedded:job`];
    for (const key of embedded) {
      for (const event of stored) {
        const data = event.data.job
          ? { ...event.data, job: { ...event.data.job, input: whole.input } }
          : event.data;
        await h.redis.xadd(key, event.id, "type", event.type, "data", JSON.stringify(data));
      }
    }
    const embeddedBytes = (await memoryUsage(embedded[0]!)) + (await memoryUsage(embedded[1]!));
    console.info(`the same history with input embedded: ${embeddedBytes} bytes`);
    expect(embeddedBytes).toBeGreaterThan(redisBytesPerJobBound);
  }, 90_000);
});

describe("no event carries input, of any type, on either stream", () => {
  it("created, started, progress, retrying, done, failed, cancelled, status: stored and streamed without input", async () => {
    const company = await h.createCompany("Events");
    // Retried once, then done.
    const retried = await submitJob(h, company, {
      jobType: "canary",
      input: { durationMs: 0, steps: 2, failTimes: 1 },
      maxAttempts: 2,
    });
    // Failed, then retried by hand (a content_job.status), then done.
    const failed = await submitJob(h, company, {
      jobType: "canary",
      input: { durationMs: 0, steps: 1, failTimes: 1 },
      maxAttempts: 1,
    });
    // Cancelled while it runs.
    const cancelled = await submitJob(h, company, {
      jobType: "canary",
      input: { durationMs: 60_000, steps: 600 },
    });
    expect(await finalStatus(company, retried)).toBe("done");
    expect(await finalStatus(company, failed)).toBe("failed");
    const retry = await h.request("POST", `${jobsPath(company)}/${failed}/retry`, { key: company.key });
    expect(retry.status).toBe(202);
    expect(await finalStatus(company, failed)).toBe("done");
    await waitUntil(
      async () =>
        (await storedEvents(keys.jobStream(company.companyId, cancelled))).some(
          (e) => e.type === "content_job.progress",
        ),
      30_000,
      "the long canary to run",
    );
    const cancel = await h.request("POST", `${jobsPath(company)}/${cancelled}/cancel`, { key: company.key });
    expect(cancel.status).toBe(202);
    expect(await finalStatus(company, cancelled)).toBe("cancelled");

    // As stored, on the company stream and on each job's stream.
    const companyEvents = await storedEvents(keys.companyStream(company.companyId));
    for (const jobId of [retried, failed, cancelled]) {
      for (const event of await storedEvents(keys.jobStream(company.companyId, jobId)))
        expect(hasInput(event.data), event.type).toBe(false);
    }
    for (const event of companyEvents) expect(hasInput(event.data), event.type).toBe(false);
    const storedTypes = new Set(companyEvents.map((event) => event.type));
    expect([...storedTypes].sort()).toEqual([...jobEventTypes].sort());

    // As streamed: the company stream replayed from its start, and each job's snapshot.
    const replay = await h.request("GET", `/api/companies/${company.companyId}/events`, {
      key: company.key,
      headers: { "last-event-id": "0-0" },
    });
    const lastId = companyEvents.at(-1)!.id;
    const { events: streamed } = await readSse(replay, {
      until: (event) => event.id === lastId,
      timeoutMs: 10_000,
    });
    expect(streamed.map((event) => event.id)).toEqual(companyEvents.map((event) => event.id));
    const snapshots: SseEvent[] = [];
    for (const jobId of [retried, failed, cancelled]) snapshots.push(...(await followToEnd(company, jobId)));
    expect(snapshots.map((event) => event.event)).toEqual(Array(3).fill("content_job.status"));
    for (const event of [...streamed, ...snapshots]) {
      expect(hasInput(event.data), event.event).toBe(false);
      expect(event.data.jobId).toEqual(expect.any(String));
    }
  }, 90_000);

  it("a whole Job handed to the event log is stored as its summary", async () => {
    const company = await h.createCompany("Careless");
    const jobId = await submitJob(h, company, { jobType: "canary", input: { durationMs: 0, steps: 1 } });
    await followToEnd(company, jobId);
    const whole = await h.services.jobs.getJob(company.companyId, jobId);
    expect(whole?.input).toMatchObject({ durationMs: 0, steps: 1 });
    // The type system refuses a Job here; a caller that casts still cannot store its input.
    await h.services.events.append({
      type: "content_job.status",
      data: { jobId, companyId: company.companyId, job: whole as never },
    });
    const last = (await storedEvents(keys.jobStream(company.companyId, jobId))).at(-1)!;
    expect(last.type).toBe("content_job.status");
    expect(hasInput(last.data)).toBe(false);
    expect(last.data.job).toMatchObject({ id: jobId, status: "done" });
  });
});
