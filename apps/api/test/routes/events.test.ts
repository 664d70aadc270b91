import { readSse, type SseEvent, waitUntil } from "@kiln/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestHarness, type TestHarness } from "../../src/testing/test-harness.ts";
import { jobPath, jobSummaryFields, submitCanary, type TestCompany } from "./support.ts";

let h: TestHarness;
let acme: TestCompany;

beforeAll(async () => {
  h = await createTestHarness({ env: { KILN_SSE_PING_MS: "200" } });
  acme = await h.createCompany("Acme");
});
afterAll(() => h?.close());

const eventId = /^\d+-\d+$/;
const companyEventsPath = () => `/api/companies/${acme.companyId}/events`;

const open = async (path: string, headers: Record<string, string> = {}) => {
  const response = await h.request("GET", path, { key: acme.key, headers });
  expect(response.status).toBe(200);
  return response;
};

const expectStreamHeaders = (response: Response) => {
  expect(response.headers.get("content-type")).toMatch(/^text\/event-stream/);
  expect(response.headers.get("cache-control")).toMatch(/no-cache/);
  expect(response.headers.get("x-accel-buffering")).toBe("no");
};

/** Reads a stream in the background; `next(n)` resolves once n events have arrived. */
const follow = (response: Response, until?: (event: SseEvent) => boolean) => {
  const waiters: { count: number; resolve: () => void }[] = [];
  let seen = 0;
  const done = readSse(response, {
    timeoutMs: 10_000,
    until,
    onEvent: () => {
      seen++;
      for (const waiter of waiters.filter((candidate) => candidate.count <= seen)) waiter.resolve();
    },
  });
  const next = (count: number) =>
    new Promise<void>((resolve) => (seen >= count ? resolve() : waiters.push({ count, resolve })));
  return { done, next };
};

const cancel = async (jobId: string) =>
  expect(
    (await h.request("POST", `${jobPath(acme.companyId, jobId)}/cancel`, { key: acme.key })).status,
  ).toBe(202);

describe("GET …/content-jobs/:jobId/events", () => {
  it("headers, then a content_job.status snapshot with the Job summary, then live events until the terminal one", async () => {
    const jobId = await submitCanary(h, acme);
    const response = await open(`${jobPath(acme.companyId, jobId)}/events`);
    expectStreamHeaders(response);
    const stream = follow(response);
    await stream.next(1);
    await cancel(jobId);
    const { events, ended } = await stream.done;

    expect(ended).toBe(true);
    expect(events.map((event) => event.event)).toEqual(["content_job.status", "content_job.cancelled"]);
    const [snapshot, cancelled] = events as [SseEvent, SseEvent];
    expect(snapshot.data).toMatchObject({ jobId, companyId: acme.companyId });
    expect(Object.keys(snapshot.data.job!).sort()).toEqual(jobSummaryFields);
    expect(snapshot.data.job).toMatchObject({ id: jobId, status: "queued" });
    expect(cancelled.data).toMatchObject({
      jobId,
      companyId: acme.companyId,
      job: { id: jobId, status: "cancelled" },
    });
    for (const event of events) expect(event.id).toMatch(eventId);
  });

  it("resumes after Last-Event-ID (header or ?lastEventId=) with what was missed, without duplicates", async () => {
    const jobId = await submitCanary(h, acme);
    const first = follow(await open(`${jobPath(acme.companyId, jobId)}/events`));
    await first.next(1);
    await cancel(jobId);
    const { events } = await first.done;
    const snapshotId = events[0]!.id!;

    for (const resume of [
      () => open(`${jobPath(acme.companyId, jobId)}/events`, { "last-event-id": snapshotId }),
      () => open(`${jobPath(acme.companyId, jobId)}/events?lastEventId=${snapshotId}`),
    ]) {
      const resumed = await readSse(await resume(), { timeoutMs: 5_000 });
      expect(resumed.ended).toBe(true);
      expect(resumed.events.map((event) => event.event)).toEqual(["content_job.cancelled"]);
      expect(resumed.events[0]!.id).toBe(events[1]!.id);
    }
  });

  it("pings with a `: ping` comment while nothing happens", async () => {
    const jobId = await submitCanary(h, acme);
    const { comments, events } = await readSse(await open(`${jobPath(acme.companyId, jobId)}/events`), {
      timeoutMs: 2_000,
    });
    expect(events).toHaveLength(1);
    expect(comments).toContain("ping");
  });

  it("a client that hangs up frees its stream", async () => {
    const before = h.services.sse.size();
    const jobId = await submitCanary(h, acme);
    const reader = (await open(`${jobPath(acme.companyId, jobId)}/events`)).body!.getReader();
    expect((await reader.read()).done).toBe(false);
    expect(h.services.sse.size()).toBe(before + 1);
    await reader.cancel();
    await waitUntil(() => h.services.sse.size() === before, 3_000, "the stream freed");
  });
});

describe("GET /api/companies/:companyId/events", () => {
  it("headers, then every job event of the company, live, each with an id", async () => {
    const response = await open(companyEventsPath());
    expectStreamHeaders(response);
    const stream = follow(response, (event) => event.event === "content_job.cancelled");
    const jobId = await submitCanary(h, acme);
    await stream.next(1);
    await cancel(jobId);
    const { events, ended } = await stream.done;

    expect(ended).toBe(false);
    expect(events.map((event) => event.event)).toEqual(["content_job.created", "content_job.cancelled"]);
    for (const event of events) {
      expect(event.id).toMatch(eventId);
      expect(event.data).toMatchObject({ jobId, companyId: acme.companyId, job: { id: jobId } });
    }
    expect(events[1]!.data.job).toMatchObject({ status: "cancelled" });
  });

  it("carries no other company's events", async () => {
    const other = await h.createCompany("Other");
    const stream = follow(await open(companyEventsPath()), (event) => event.event === "content_job.created");
    await submitCanary(h, other);
    const mine = await submitCanary(h, acme);
    const { events } = await stream.done;
    expect(events.map((event) => event.data.jobId)).toEqual([mine]);
  });

  it("resumes after Last-Event-ID with the events missed, in order, without duplicates", async () => {
    const stream = follow(await open(companyEventsPath()), () => true);
    const first = await submitCanary(h, acme);
    const { events } = await stream.done;
    expect(events[0]!.data.jobId).toBe(first);
    const second = await submitCanary(h, acme);
    const third = await submitCanary(h, acme);

    const lastId = events[0]!.id!;
    for (const [query, headers] of [
      ["", { "last-event-id": lastId }],
      [`?lastEventId=${lastId}`, {}],
    ] as [string, Record<string, string>][]) {
      const resumed = await readSse(await open(`${companyEventsPath()}${query}`, headers), {
        until: (_, all) => all.length >= 2,
        timeoutMs: 5_000,
      });
      expect(resumed.events.map((event) => [event.event, event.data.jobId])).toEqual([
        ["content_job.created", second],
        ["content_job.created", third],
      ]);
    }
  });
});
