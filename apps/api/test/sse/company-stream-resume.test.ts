import { eventKeys } from "@kiln/queue";
import { readSse, waitUntil } from "@kiln/testkit";
import { channelSubscribers } from "@kiln/testkit/redis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestHarness, type TestHarness } from "../../src/testing/test-harness.ts";

let h: TestHarness;
let company: { companyId: string; key: string };
// A small retention, so the test can push the company stream past it.
beforeAll(async () => {
  h = await createTestHarness({
    env: { KILN_EVENT_RETENTION_COUNT: "100", KILN_EVENT_RETENTION_MS: "1000" },
  });
  company = await h.createCompany();
});
afterAll(() => h?.close());

const submit = async () => {
  const response = await h.request("POST", `/api/companies/${company.companyId}/content-jobs`, {
    key: company.key,
    body: { jobType: "canary", input: { durationMs: 0, steps: 1 } },
  });
  return ((await response.json()) as { jobId: string }).jobId;
};

/** The company's live channel is subscribed in Redis: a stream opened without Last-Event-ID is live from here on. */
const companyStreamLive = async () => {
  const channel = eventKeys(h.prefix).companyChannel(company.companyId);
  return h.services.hub.stats().listeners > 0 && (await channelSubscribers(h.redis, channel)) > 0;
};

const openCompanyStream = (lastEventId?: string) =>
  h.request("GET", `/api/companies/${company.companyId}/events`, {
    key: company.key,
    headers: lastEventId ? { "last-event-id": lastEventId } : {},
  });

describe("the company stream", () => {
  it("carries every job's events live, and resumes after Last-Event-ID with no duplicate", async () => {
    const live = openCompanyStream();
    const reading = readSse(await live, { until: (_event, all) => all.length === 3, timeoutMs: 5_000 });
    await waitUntil(companyStreamLive, 5_000, "the company stream live");
    const ids = [await submit(), await submit(), await submit()];
    const { events } = await reading;
    expect(events.map((e) => e.event)).toEqual(Array(3).fill("content_job.created"));
    expect(events.map((e) => e.data.jobId)).toEqual(ids);

    // Two more while "disconnected"; resuming after the first event replays exactly what was missed.
    const more = [await submit(), await submit()];
    const resumed = await readSse(await openCompanyStream(events[0]!.id), {
      until: (_event, all) => all.length === 4,
      timeoutMs: 5_000,
    });
    expect(resumed.events.map((e) => e.data.jobId)).toEqual([ids[1], ids[2], ...more]);
    expect(resumed.ended).toBe(false);
  });

  it("also resumes with ?lastEventId= (EventSource polyfills and manual reconnects)", async () => {
    const first = await submit();
    const stored = (await h.redis.xrevrange(
      eventKeys(h.prefix).companyStream(company.companyId),
      "+",
      "-",
      "COUNT",
      2,
    )) as [string, string[]][];
    const before = stored[1]![0];
    const response = await h.request(
      "GET",
      `/api/companies/${company.companyId}/events?lastEventId=${before}`,
      { key: company.key },
    );
    const { events } = await readSse(response, { until: () => true, timeoutMs: 5_000 });
    expect(events[0]?.data.jobId).toBe(first);
  });

  it("from beyond the retention window: a snapshot of every queued or running job, then live", async () => {
    const firstEvent = (await h.redis.xrange(
      eventKeys(h.prefix).companyStream(company.companyId),
      "-",
      "+",
      "COUNT",
      1,
    )) as [string, string[]][];
    const oldId = firstEvent[0]![0];
    // Let the old events age past the window (1 s), then push the stream past its count so they are trimmed.
    const oldAt = Number(oldId.split("-")[0]);
    await waitUntil(() => Date.now() > oldAt + 1_000, 5_000, "the first event to age past the retention");
    for (let i = 0; i < 120; i++) await submit();
    const active = (await h.services.jobs.listActiveJobs(company.companyId, 1000)).length;
    const { events } = await readSse(await openCompanyStream(oldId), {
      until: (_event, all) => all.length === active,
      timeoutMs: 10_000,
    });
    expect(events).toHaveLength(active);
    expect(new Set(events.map((e) => e.event))).toEqual(new Set(["content_job.status"]));
    expect(new Set(events.map((e) => e.data.jobId)).size).toBe(active);
  }, 30_000);
});
