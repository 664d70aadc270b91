import { eventKeys } from "@kiln/queue";
import { waitUntil } from "@kiln/testkit";
import { channelSubscribers } from "@kiln/testkit/redis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestHarness, type TestHarness } from "../../src/testing/test-harness.ts";

let h: TestHarness;
let company: { companyId: string; key: string };
beforeAll(async () => {
  h = await createTestHarness({ env: { KILN_SSE_PING_MS: "200" } });
  company = await h.createCompany();
});
afterAll(() => h?.close());

const subscribersOf = (channel: string) => channelSubscribers(h.redis, channel);

describe("SSE clients release what they hold", () => {
  it("twenty clients on job and company streams share one subscription and release everything on disconnect", async () => {
    const response = await h.request("POST", `/api/companies/${company.companyId}/content-jobs`, {
      key: company.key,
      body: { jobType: "canary", input: { durationMs: 1000, steps: 2 } },
    });
    const { jobId } = (await response.json()) as { jobId: string };
    const baseline = h.services.hub.stats();
    expect(baseline).toEqual({ channels: 0, listeners: 0 });

    const paths = Array.from({ length: 20 }, (_, i) =>
      i % 2 === 0
        ? `/api/companies/${company.companyId}/content-jobs/${jobId}/events`
        : `/api/companies/${company.companyId}/events`,
    );
    const readers = await Promise.all(
      paths.map(async (path) => {
        const stream = await h.request("GET", path, { key: company.key });
        const reader = stream.body!.getReader();
        await reader.read(); // the opening comment: the stream is live
        return reader;
      }),
    );
    await waitUntil(() => h.services.hub.stats().listeners === 20, 5_000, "twenty listeners");
    expect(h.services.hub.stats()).toEqual({ channels: 1, listeners: 20 });
    expect(h.services.sse.size()).toBe(20);
    const channel = eventKeys(h.prefix).companyChannel(company.companyId);
    expect(await subscribersOf(channel)).toBe(1);

    await Promise.all(readers.map((reader) => reader.cancel()));
    await waitUntil(
      () => h.services.hub.stats().listeners === 0 && h.services.sse.size() === 0,
      5_000,
      "every listener and stream released",
    );
    expect(h.services.hub.stats()).toEqual(baseline);
    await waitUntil(async () => (await subscribersOf(channel)) === 0, 5_000, "the channel unsubscribed");
  });

  it("sends a ping comment at the configured interval", async () => {
    const stream = await h.request("GET", `/api/companies/${company.companyId}/events`, { key: company.key });
    const reader = stream.body!.getReader();
    const decoder = new TextDecoder();
    let text = "";
    const deadline = Date.now() + 3_000;
    while (!text.includes(": ping") && Date.now() < deadline) {
      const { value, done } = await reader.read();
      if (done) break;
      text += decoder.decode(value);
    }
    await reader.cancel();
    expect(text).toContain(": ping\n\n");
  });
});
