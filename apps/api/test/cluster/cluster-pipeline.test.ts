import { eventKeys, queueNameOf, queuePrefixOf } from "@kiln/queue";
import { readSse, type SseEvent, waitUntil } from "@kiln/testkit";
import { channelSubscribers, type RedisCluster, startRedisCluster } from "@kiln/testkit/redis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestHarness, type TestHarness } from "../../src/testing/test-harness.ts";
import {
  getJob,
  keySlot,
  keysByNode,
  openCompanyStream,
  openJobStream,
  ownerOfKey,
  submitJob,
  type TestCompany,
} from "./support.ts";

// Kiln on a real Redis Cluster of 3 masters (no replicas), started for this file: the API and a
// worker in this process, every Redis use through the cluster client.
let cluster: RedisCluster;
let h: TestHarness;
let company: TestCompany;

beforeAll(async () => {
  const startedAt = Date.now();
  cluster = await startRedisCluster({ masters: 3 });
  console.info(`redis cluster of 3 masters ready in ${Date.now() - startedAt} ms`);
  h = await createTestHarness({ redisUrl: cluster.url });
  company = await h.createCompany();
  await h.runWorker({ WORKER_CONCURRENCY: "2", KILN_PROGRESS_INTERVAL_MS: "0" });
}, 90_000);
afterAll(async () => {
  await h?.close();
  await cluster?.stop();
});

const followToEnd = async (jobId: string, lastEventId?: string) => {
  const response = await openJobStream(h, company, jobId, lastEventId);
  expect(response.status).toBe(200);
  return readSse(response, { timeoutMs: 30_000 });
};

describe("Kiln on a Redis Cluster", () => {
  it("renders a job end to end: its stream ends with done and the artifact downloads", async () => {
    const jobId = await submitJob(h, company, { jobType: "canary", input: { durationMs: 300, steps: 3 } });
    const { events, ended } = await followToEnd(jobId);
    expect(ended).toBe(true);
    expect(events[0]?.event).toBe("content_job.status");
    expect(events.at(-1)).toMatchObject({ event: "content_job.done", data: { job: { status: "done" } } });
    const done = events.at(-1)!.data.job as { artifacts: { url: string; size: number }[] };
    const download = await h.request("GET", done.artifacts[0]!.url, { key: company.key });
    expect(download.status).toBe(200);
    expect(JSON.parse(await download.text())).toMatchObject({ jobId });
  });

  it("one company's streams and live channel share a slot; another company's hash elsewhere", async () => {
    const jobId = await submitJob(h, company, { jobType: "canary", input: { durationMs: 0, steps: 1 } });
    await followToEnd(jobId);
    const keys = eventKeys(h.prefix);
    const companyKeys = [
      keys.companyStream(company.companyId),
      keys.jobStream(company.companyId, jobId),
      keys.companyChannel(company.companyId),
    ];
    const slots = await Promise.all(companyKeys.map((key) => keySlot(h, key)));
    expect(new Set(slots).size).toBe(1);
    // The streams hold what the append script wrote there, in that one slot.
    expect(await h.redis.xlen(keys.jobStream(company.companyId, jobId))).toBeGreaterThan(0);
    const other = await h.createCompany("Other");
    expect(await keySlot(h, keys.companyStream(other.companyId))).not.toBe(slots[0]);
  });

  it("two job types' queues live on different shards, each whole in its own slot", async () => {
    // With 3 masters each owning a third of the slots, canary's tag and markdown.html's hash to
    // slots that different masters own (8018 and 2380).
    const types = ["canary", "markdown.html"];
    const queueKey = (jobType: string) => `${queuePrefixOf(h.prefix, jobType)}:${queueNameOf(jobType)}:wait`;
    const owners = await Promise.all(types.map((jobType) => ownerOfKey(h, queueKey(jobType))));
    expect(owners[0]).not.toBe(owners[1]);

    for (const [jobType, input] of [
      ["canary", { durationMs: 0, steps: 1 }],
      ["markdown.html", { markdown: "# On a cluster" }],
    ] as const) {
      const jobId = await submitJob(h, company, { jobType, input });
      expect((await followToEnd(jobId)).events.at(-1)?.event).toBe("content_job.done");
    }
    for (const [index, jobType] of types.entries()) {
      // Every key of the type (BullMQ's and the fair lines') is on the one master owning its slot.
      const found = await keysByNode(h, `${queuePrefixOf(h.prefix, jobType)}:*`);
      expect([...found.keys()], jobType).toEqual([owners[index]]);
      const slots = new Set(await Promise.all([...found.values()][0]!.map((key) => keySlot(h, key))));
      expect(slots.size, jobType).toBe(1);
    }
  });

  it("a job stream resumed with Last-Event-ID replays what was missed, without duplicates, to the end", async () => {
    const jobId = await submitJob(h, company, { jobType: "canary", input: { durationMs: 1_500, steps: 10 } });
    const first = await readSse(await openJobStream(h, company, jobId), {
      until: (event) => event.event === "content_job.progress",
      timeoutMs: 15_000,
    });
    const lastSeen = first.events.at(-1)!.id!;
    const rest = await followToEnd(jobId, lastSeen);
    expect(rest.ended).toBe(true);
    expect(rest.events[0]?.event).not.toBe("content_job.status");
    expect(rest.events.at(-1)?.event).toBe("content_job.done");
    const seen = [...first.events.slice(1), ...rest.events].map((event) => event.id);
    expect(new Set(seen).size).toBe(seen.length);
    // Everything the job stored after the first connection's last event, in order.
    const stored = (await h.redis.xrange(
      keys().jobStream(company.companyId, jobId),
      `(${lastSeen}`,
      "+",
    )) as [string, string[]][];
    expect(rest.events.map((event) => event.id)).toEqual(stored.map(([id]) => id));
  });

  it("the company stream carries jobs live over sharded pub/sub and resumes after Last-Event-ID", async () => {
    const live = await openCompanyStream(h, company);
    const created = (events: SseEvent[]) => events.filter((event) => event.event === "content_job.created");
    const reading = readSse(live, { until: (_event, all) => created(all).length === 2, timeoutMs: 10_000 });
    const channel = keys().companyChannel(company.companyId);
    await waitUntil(
      async () => (await channelSubscribers(h.redis, channel)) > 0,
      5_000,
      "the company channel subscribed",
    );
    const submit = () => submitJob(h, company, { jobType: "canary", input: { durationMs: 0, steps: 1 } });
    const ids = [await submit(), await submit()];
    const { events } = await reading;
    expect(created(events).map((event) => event.data.jobId)).toEqual(ids);

    const more = await submit();
    const resumed = await readSse(await openCompanyStream(h, company, created(events)[0]!.id), {
      until: (event) => event.data.jobId === more && event.event === "content_job.created",
      timeoutMs: 10_000,
    });
    expect(created(resumed.events).map((event) => event.data.jobId)).toEqual([ids[1], more]);
    const replayedIds = resumed.events.map((event) => event.id);
    expect(new Set(replayedIds).size).toBe(replayedIds.length);
  });

  it("cancelling a running job reaches its worker over the cluster: the render stops and the stream ends", async () => {
    const jobId = await submitJob(h, company, {
      jobType: "canary",
      input: { durationMs: 20_000, steps: 200 },
    });
    let cancelledAt = 0;
    const { events, ended } = await readSse(await openJobStream(h, company, jobId), {
      timeoutMs: 15_000,
      onEvent: (event) => {
        if (cancelledAt > 0 || event.event !== "content_job.progress") return;
        cancelledAt = Date.now();
        void cancel(jobId);
      },
    });
    expect(ended).toBe(true);
    expect(events.at(-1)).toMatchObject({
      event: "content_job.cancelled",
      data: { job: { status: "cancelled" } },
    });
    await waitUntil(
      async () => (await h.services.queues.stateOf("canary", jobId)) !== "active",
      5_000,
      "the worker to let go of the cancelled job",
    );
    expect(Date.now() - cancelledAt).toBeLessThan(5_000);
    expect(await getJob(h, company, jobId)).toMatchObject({ status: "cancelled" });
  });
});

const keys = () => eventKeys(h.prefix);

const cancel = async (jobId: string) => {
  const response = await h.request(
    "POST",
    `/api/companies/${company.companyId}/content-jobs/${jobId}/cancel`,
    { key: company.key },
  );
  expect([202, 409]).toContain(response.status);
};
