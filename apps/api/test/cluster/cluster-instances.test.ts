import { eventKeys } from "@kiln/queue";
import { readSse, waitUntil } from "@kiln/testkit";
import { channelSubscribers, type RedisCluster, startRedisCluster } from "@kiln/testkit/redis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestHarness, type TestHarness } from "../../src/testing/test-harness.ts";
import { parseRateLimitField, setLimits } from "../limits/support.ts";
import { basicAuth } from "../ops/support.ts";
import { openCompanyStream, submitJob } from "./support.ts";

// Two API instances on a real Redis Cluster of 3 masters, started for this file: what one instance
// announces (a limits change, a revoked key) reaches the other over sharded pub/sub, and the ops
// endpoints read the queues wherever their shards are.
let cluster: RedisCluster;
let h: TestHarness;
let other: Awaited<ReturnType<TestHarness["addApiInstance"]>>;

beforeAll(async () => {
  cluster = await startRedisCluster({ masters: 3 });
  // Only the change announcement can make an instance see a change within the test's second.
  h = await createTestHarness({ redisUrl: cluster.url, env: { KILN_LIMITS_CACHE_TTL_MS: "600000" } });
  other = await h.addApiInstance();
}, 90_000);
afterAll(async () => {
  await h?.close();
  await cluster?.stop();
});

describe("API instances and ops on a Redis Cluster", () => {
  it("a limits change made through one instance is in force on the other within a second", async () => {
    const company = await h.createCompany();
    const readPolicyOn = async () => {
      const response = await other.request("GET", `/api/companies/${company.companyId}/content-jobs`, {
        key: company.key,
      });
      expect(response.status).toBe(200);
      return parseRateLimitField(response.headers.get("ratelimit-policy")).read;
    };
    const before = (await readPolicyOn())?.q;
    const changedAt = performance.now();
    await setLimits(h, company.companyId, { readsPerSecondPerKey: 999 });
    expect(before).not.toBe(999);
    await waitUntil(async () => (await readPolicyOn())?.q === 999, 1_000, "the other instance's new policy");
    expect(performance.now() - changedAt).toBeLessThan(1_000);
  });

  it("a key revoked through one instance ends its streams on the other at once", async () => {
    const company = await h.createCompany();
    const stream = await openCompanyStream(other, company);
    expect(stream.status).toBe(200);
    let live = false;
    const reading = readSse(stream, {
      timeoutMs: 10_000,
      onEvent: (event) => {
        live ||= event.event === "content_job.created";
      },
    });
    const channel = eventKeys(h.prefix).companyChannel(company.companyId);
    await waitUntil(
      async () => (await channelSubscribers(h.redis, channel)) > 0,
      5_000,
      "the company channel subscribed",
    );
    // Live first: the stream carries the company's events over the cluster.
    await submitJob(h, company, { jobType: "canary", input: { durationMs: 0, steps: 1 } });
    await waitUntil(() => live, 5_000, "the created event on the other instance");
    const revokedAt = Date.now();
    const response = await h.admin("DELETE", `/api/companies/${company.companyId}/api-keys/${company.keyId}`);
    expect(response.status).toBe(204);
    const { ended, comments, events } = await reading;
    expect(ended).toBe(true);
    expect(Date.now() - revokedAt).toBeLessThan(5_000);
    expect(comments).toContain("closed: the credentials were revoked");
    expect(events.map((event) => event.event)).toEqual(["content_job.created"]);
  });

  it("ops read every job type's queue on its shard: /readyz, /metrics and Bull Board", async () => {
    const company = await h.createCompany();
    // No worker here: the job waits in BullMQ (the dispatch window lets one through).
    await submitJob(h, company, { jobType: "markdown.html", input: { markdown: "# Waiting" } });
    expect((await h.request("GET", "/readyz")).status).toBe(200);
    const metrics = await (await h.request("GET", "/metrics")).text();
    expect(metrics).toContain('kiln_queue_jobs{job_type="markdown.html",state="waiting"} 1');
    const board = await h.request("GET", "/admin/queues/api/queues", {
      headers: { authorization: basicAuth(h.adminToken) },
    });
    expect(board.status).toBe(200);
    const { queues } = (await board.json()) as { queues: { name: string; counts: Record<string, number> }[] };
    expect(queues.map((queue) => queue.name).sort()).toEqual(
      [...h.services.renderers.keys()].map((type) => `jobs.${type}`).sort(),
    );
    expect(queues.find((queue) => queue.name === "jobs.markdown.html")?.counts).toMatchObject({ waiting: 1 });
  });
});
