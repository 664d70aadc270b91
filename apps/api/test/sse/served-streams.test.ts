import type { ServedApp } from "@kiln/testkit";
import { readSse, waitUntil } from "@kiln/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestHarness, type TestHarness } from "../../src/testing/test-harness.ts";
import { jobPath, submitCanary, type TestCompany } from "../routes/support.ts";

// The streams of the other SSE tests are read through `app.request()`; these are served over TCP
// by @hono/node-server, as in production, where a stream writes straight to the Node response once
// the server has sent its head.

let h: TestHarness;
let acme: TestCompany;
let served: ServedApp;

beforeAll(async () => {
  h = await createTestHarness({ env: { KILN_SSE_PING_MS: "200" } });
  acme = await h.createCompany("Acme");
  served = await h.serve();
});
afterAll(() => h?.close());

const companyEvents = () => `/api/companies/${acme.companyId}/events`;
const open = async (path: string, { key = acme.key, headers = {}, signal }: OpenOptions = {}) => {
  const response = await fetch(`${served.baseUrl}${path}`, {
    headers: { authorization: `Bearer ${key}`, ...headers },
    signal,
  });
  expect(response.status).toBe(200);
  return response;
};
interface OpenOptions {
  key?: string;
  headers?: Record<string, string>;
  signal?: AbortSignal;
}

describe("SSE streams served over TCP", () => {
  it("twenty company streams: headers at once, pings, and the same events with the same ids on each", async () => {
    const responses = await Promise.all(Array.from({ length: 20 }, () => open(companyEvents())));
    for (const response of responses) {
      expect(response.headers.get("content-type")).toBe("text/event-stream");
      expect(response.headers.get("cache-control")).toMatch(/no-cache/);
      expect(response.headers.get("x-accel-buffering")).toBe("no");
      // What middleware adds after the handler reaches the head too.
      expect(response.headers.get("x-request-id")).toBeTruthy();
      expect(response.headers.get("ratelimit-policy")).toBeTruthy();
    }
    await waitUntil(() => h.services.hub.stats().listeners === 20, 5_000, "twenty listeners");
    const readings = responses.map((response) =>
      readSse(response, { until: (event) => event.event === "content_job.cancelled", timeoutMs: 10_000 }),
    );
    const jobId = await submitCanary(h, acme);
    // Long enough for a ping or two before the job's last event.
    await new Promise((resolve) => setTimeout(resolve, 500));
    const cancelled = await h.request("POST", `${jobPath(acme.companyId, jobId)}/cancel`, { key: acme.key });
    expect(cancelled.status).toBe(202);

    const streams = await Promise.all(readings);
    const [first] = streams;
    expect(first!.events.map((event) => [event.event, event.data.jobId])).toEqual([
      ["content_job.created", jobId],
      ["content_job.cancelled", jobId],
    ]);
    expect(first!.comments).toContain("ping");
    for (const stream of streams) expect(stream.events).toEqual(first!.events);
  });

  it("resumes after Last-Event-ID with what was missed, then goes live", async () => {
    const live = await open(companyEvents());
    const reading = readSse(live, { until: (_event, all) => all.length === 2, timeoutMs: 10_000 });
    await waitUntil(() => h.services.sse.size() === 1, 5_000, "the stream registered");
    const firstJob = await submitCanary(h, acme);
    const secondJob = await submitCanary(h, acme);
    const { events } = await reading;
    expect(events.map((event) => event.data.jobId)).toEqual([firstJob, secondJob]);
    await waitUntil(() => h.services.sse.size() === 0, 5_000, "the first stream closed");

    const resumed = await open(companyEvents(), { headers: { "last-event-id": events[0]!.id! } });
    const resumedReading = readSse(resumed, { until: (_event, all) => all.length === 2, timeoutMs: 10_000 });
    const thirdJob = await submitCanary(h, acme);
    const replayed = await resumedReading;
    expect(replayed.events.map((event) => [event.id, event.data.jobId])).toEqual([
      [events[1]!.id, secondJob],
      [expect.any(String), thirdJob],
    ]);
  });

  it("a client that goes away frees its listener, its place in the registry and its open-stream slot", async () => {
    await waitUntil(() => h.services.sse.size() === 0, 5_000, "no stream open");
    const client = new AbortController();
    const response = await open(companyEvents(), { signal: client.signal });
    const reader = response.body!.getReader();
    await reader.read(); // the opening comment
    expect(h.services.sse.size()).toBe(1);
    expect(h.services.hub.stats().listeners).toBe(1);
    expect(await h.services.streamLeases.count(acme.companyId)).toBe(1);

    client.abort();
    await waitUntil(
      async () =>
        h.services.sse.size() === 0 &&
        h.services.hub.stats().listeners === 0 &&
        (await h.services.streamLeases.count(acme.companyId)) === 0,
      5_000,
      "everything the stream held released",
    );
  });

  it("revoking the key ends its served streams with their closing words", async () => {
    const created = await h.admin("POST", `/api/companies/${acme.companyId}/api-keys`, { name: "doomed" });
    const { key, id } = (await created.json()) as { key: string; id: string };
    const responses = await Promise.all(Array.from({ length: 3 }, () => open(companyEvents(), { key })));
    const readings = responses.map((response) => readSse(response, { timeoutMs: 10_000 }));
    await waitUntil(() => h.services.sse.size() === 3, 5_000, "three streams open");
    expect((await h.admin("DELETE", `/api/companies/${acme.companyId}/api-keys/${id}`)).status).toBe(204);
    for (const stream of await Promise.all(readings)) {
      expect(stream.ended).toBe(true);
      expect(stream.comments).toContain("closed: the credentials were revoked");
    }
    await waitUntil(() => h.services.sse.size() === 0, 5_000, "the streams released");
  });
});
