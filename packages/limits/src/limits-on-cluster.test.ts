import { randomUUID } from "node:crypto";
import { silentLogger } from "@kiln/core";
import { type RedisCluster, scanRedisKeys, startRedisCluster } from "@kiln/testkit/redis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createRateLimiter } from "./rate-limits.ts";
import { createStreamLeases } from "./stream-leases.ts";
import { createTestRedis, testLimits } from "./test-support.ts";

// Rate limits and open-stream leases counted on a real Redis Cluster of 3 masters, started here:
// rate-limiter-flexible's counters and the leases' scripts with ioredis's cluster client.
let cluster: RedisCluster;
let redis: ReturnType<typeof createTestRedis>;

beforeAll(async () => {
  cluster = await startRedisCluster({ masters: 3 });
  redis = createTestRedis(cluster.url);
}, 30_000);
afterAll(async () => {
  await redis?.close();
  await cluster?.stop();
});

const instances = async () => {
  const [first, second] = [redis.connect(), redis.connect()];
  // Connected first: a client that is not ready yet is counted in memory (as while Redis is down).
  await Promise.all([first.ping(), second.ping()]);
  return [first, second] as const;
};

describe("limits on a Redis Cluster", () => {
  it("two instances share a key's rate and burst through the cluster, then refuse", async () => {
    const [first, second] = await instances();
    const options = { prefix: redis.prefix, burstWindowSeconds: 10, logger: silentLogger };
    const a = createRateLimiter({ ...options, redis: first, timeoutMs: 1_000 });
    const b = createRateLimiter({ ...options, redis: second, timeoutMs: 1_000 });
    const caller = { keyId: randomUUID(), companyId: randomUUID() };
    const limits = testLimits({ submitsPerSecondPerKey: 3, submitBurstPerKey: 2 });
    const allowed: boolean[] = [];
    for (const instance of [a, b, a, b, a, b, a]) {
      allowed.push((await instance.consume("submit", caller, limits)).allowed);
    }
    // Counted alone, in memory, each instance would have allowed all of its own.
    expect(allowed).toEqual([true, true, true, true, true, false, false]);
    const counters = await scanRedisKeys(redis.redis, `${redis.prefix}:rate:*${caller.keyId}`);
    expect(counters.length).toBeGreaterThan(0);
  });

  it("open-stream slots are shared by instances up to the cap", async () => {
    const [first, second] = await instances();
    const leasesOn = (connection: typeof first) =>
      createStreamLeases({ redis: connection, prefix: redis.prefix, ttlMs: 30_000, logger: silentLogger });
    const [a, b] = [leasesOn(first), leasesOn(second)];
    const companyId = randomUUID();
    expect((await a.acquire(companyId, 2)).granted).toBe(true);
    expect((await b.acquire(companyId, 2)).granted).toBe(true);
    expect(await a.acquire(companyId, 2)).toEqual({ granted: false, open: 2 });
    expect(await b.count(companyId)).toBe(2);
    await Promise.all([a.close(), b.close()]);
    expect(await a.count(companyId)).toBe(0);
  });
});
