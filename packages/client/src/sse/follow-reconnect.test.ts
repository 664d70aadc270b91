import { createTestHarness, type TestHarness } from "@kiln/api/testing";
import { startTcpProxy } from "@kiln/testkit";
import { afterAll, beforeAll, expect, it } from "vitest";
import { createKilnClient, type KilnClient } from "../kiln-client.ts";
import type { TypedJobEvent } from "./to-job-event.ts";

let h: TestHarness;
let company: { companyId: string; key: string };

beforeAll(async () => {
  h = await createTestHarness();
  company = await h.createCompany();
  await h.runWorker({ KILN_PROGRESS_INTERVAL_MS: "0" });
}, 120_000);
afterAll(() => h?.close());

/** A client whose every request goes to `target()`, counting the event streams it opens. */
const switchableClient = (target: () => string) => {
  const streamsOpened: number[] = [];
  const client = createKilnClient({
    baseUrl: "http://kiln.invalid",
    apiKey: company.key,
    companyId: company.companyId,
    fetch: (input, init) => {
      const url = String(input).replace("http://kiln.invalid", target());
      if (url.includes("/events")) streamsOpened.push(Date.now());
      return fetch(url, init);
    },
  });
  return { client, streamsOpened };
};

const reconnect = { initialDelayMs: 100, maxDelayMs: 1_000, maxAttempts: 60 };

/** What a fresh follow from the first snapshot replays: every event the job published after it. */
const replayAfter = async (client: KilnClient, jobId: string, snapshotId: string) => {
  const replayed: string[] = [];
  for await (const event of client.followJob(jobId, { lastEventId: snapshotId })) replayed.push(event.id);
  return replayed;
};

const expectGaplessRun = async (client: KilnClient, jobId: string, events: TypedJobEvent[]) => {
  expect(events[0]?.type).toBe("content_job.status");
  expect(events.at(-1)?.type).toBe("content_job.done");
  const ids = events.map((event) => event.id);
  expect(new Set(ids).size).toBe(ids.length);
  expect(ids.slice(1)).toEqual(await replayAfter(client, jobId, ids[0]!));
};

it("followJob survives the API process being killed and another serving: no gap, no duplicate", async () => {
  // Both start up front so a slow machine's boot time does not eat the reconnect budget; the
  // client still meets refused connections until the switch.
  // Only the API that is killed needs a process of its own; the next one is the harness's, in-process.
  const [first, second] = await Promise.all([h.startApi(), h.serve()]);
  let target = first.baseUrl;
  const { client, streamsOpened } = switchableClient(() => target);
  const { jobId } = await client.submit({ jobType: "canary", input: { durationMs: 5_000, steps: 25 } });

  const events: TypedJobEvent[] = [];
  let killedAt = 0;
  for await (const event of client.followJob(jobId, { reconnect })) {
    events.push(event);
    if (killedAt === 0 && events.filter((seen) => seen.type === "content_job.progress").length === 3) {
      killedAt = Date.now();
      first.process.child.kill("SIGKILL");
      setTimeout(() => {
        target = second.baseUrl;
      }, 1_000);
    }
  }
  expect(first.process.child.signalCode).toBe("SIGKILL");
  expect(streamsOpened.filter((openedAt) => openedAt > killedAt).length).toBeGreaterThanOrEqual(2);
  await expectGaplessRun(client, jobId, events);
}, 180_000);

it("followJob survives the connection being cut and restored (TCP proxy)", async () => {
  const api = await h.serve();
  const proxy = await startTcpProxy(Number(new URL(api.baseUrl).port));
  try {
    const { client, streamsOpened } = switchableClient(() => `http://127.0.0.1:${proxy.port}`);
    const { jobId } = await client.submit({ jobType: "canary", input: { durationMs: 3_000, steps: 20 } });
    const events: TypedJobEvent[] = [];
    for await (const event of client.followJob(jobId, { reconnect })) {
      events.push(event);
      if (
        events.filter((seen) => seen.type === "content_job.progress").length === 3 &&
        streamsOpened.length === 1
      ) {
        proxy.cut();
        setTimeout(() => proxy.restore(), 800);
      }
    }
    expect(streamsOpened.length).toBeGreaterThanOrEqual(3); // the first, at least one refused, the resumed one
    await expectGaplessRun(client, jobId, events);
  } finally {
    await proxy.close();
  }
}, 180_000);

it("a gracefully stopping API's `retry:` hint sets the reconnect delay", async () => {
  const [stopping, next] = await Promise.all([h.startApi(), h.serve()]);
  let target = stopping.baseUrl;
  const { client, streamsOpened } = switchableClient(() => target);
  const { jobId } = await client.submit({ jobType: "canary", input: { durationMs: 3_000, steps: 15 } });
  const events: TypedJobEvent[] = [];
  let stoppedAt = 0;
  // Without the hint the first reconnect would come after ~10 ms.
  for await (const event of client.followJob(jobId, { reconnect: { ...reconnect, initialDelayMs: 10 } })) {
    events.push(event);
    if (stoppedAt === 0 && event.type === "content_job.progress") {
      target = next.baseUrl;
      stoppedAt = Date.now();
      void stopping.process.stop("SIGTERM");
    }
  }
  expect(streamsOpened).toHaveLength(2);
  expect(streamsOpened[1]! - stoppedAt).toBeGreaterThanOrEqual(900); // the API sends `retry: 1000`
  await expectGaplessRun(client, jobId, events);
}, 180_000);
