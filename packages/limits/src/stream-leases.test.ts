import { randomUUID } from "node:crypto";
import { silentLogger } from "@kiln/core";
import { waitUntil } from "@kiln/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createStreamLeases, type StreamLease } from "./stream-leases.ts";
import { createTestRedis } from "./test-support.ts";

let redis: ReturnType<typeof createTestRedis>;

beforeAll(() => {
  redis = createTestRedis();
});
afterAll(() => redis?.close());

const leasesOn = (connection = redis.connect(), ttlMs = 30_000) =>
  createStreamLeases({ redis: connection, prefix: redis.prefix, ttlMs, logger: silentLogger });

const granted = (answer: Awaited<ReturnType<ReturnType<typeof leasesOn>["acquire"]>>): StreamLease => {
  if (!answer.granted) throw new Error(`refused with ${answer.open} open`);
  return answer.lease;
};

describe("open-stream slots across instances", () => {
  it("grants up to the cap across instances, refuses beyond it, and a release frees a slot", async () => {
    const [a, b] = [leasesOn(), leasesOn()];
    const companyId = randomUUID();
    const first = granted(await a.acquire(companyId, 2));
    granted(await b.acquire(companyId, 2));
    expect(await a.acquire(companyId, 2)).toEqual({ granted: false, open: 2 });
    expect(await b.count(companyId)).toBe(2);

    first.release();
    first.release();
    await waitUntil(async () => (await b.count(companyId)) === 1, 2_000, "the released slot freed");
    granted(await b.acquire(companyId, 2));
    // Another company has slots of its own.
    granted(await a.acquire(randomUUID(), 2));
    await Promise.all([a.close(), b.close()]);
    expect(await a.count(companyId)).toBe(0);
  });

  it("a burst of streams asking at once: the first ones up to the cap are granted, in one round trip per thousand", async () => {
    const connection = redis.connect();
    const leases = leasesOn(connection);
    const companyId = randomUUID();
    let scripts = 0;
    const evaluate = connection.eval.bind(connection);
    connection.eval = ((...args: Parameters<typeof connection.eval>) => {
      scripts++;
      return evaluate(...args);
    }) as typeof connection.eval;

    const answers = await Promise.all(Array.from({ length: 2_500 }, () => leases.acquire(companyId, 1_800)));
    expect(scripts).toBe(3);
    expect(answers.slice(0, 1_800).every((answer) => answer.granted)).toBe(true);
    expect(answers.slice(1_800)).toEqual(
      Array.from({ length: 700 }, () => ({ granted: false, open: 1_800 })),
    );
    expect(await leases.count(companyId)).toBe(1_800);
    expect(leases.heldCount()).toBe(1_800);

    // Released together, in one command per thousand leases.
    for (const answer of answers) if (answer.granted) answer.lease.release();
    await waitUntil(async () => (await leases.count(companyId)) === 0, 2_000, "every slot freed");
    expect(leases.heldCount()).toBe(0);
    await leases.close();
  });

  it("a cap of 0 refuses every stream", async () => {
    const leases = leasesOn();
    expect(await leases.acquire(randomUUID(), 0)).toEqual({ granted: false, open: 0 });
    await leases.close();
  });

  it("an instance renews its leases: they outlive their ttl while it runs", async () => {
    const ttlMs = 300;
    const leases = leasesOn(redis.connect(), ttlMs);
    const companyId = randomUUID();
    granted(await leases.acquire(companyId, 5));
    const until = Date.now() + 4 * ttlMs;
    while (Date.now() < until) {
      expect(await leases.count(companyId)).toBe(1);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    await leases.close();
  });

  it("a dead instance's slots come back within the ttl", async () => {
    const ttlMs = 500;
    const dying = redis.connect();
    const crashed = leasesOn(dying, ttlMs);
    const survivor = leasesOn(redis.connect(), ttlMs);
    const companyId = randomUUID();
    granted(await crashed.acquire(companyId, 1));
    expect((await survivor.acquire(companyId, 1)).granted).toBe(false);

    // The instance dies without releasing: its connection is gone, so nothing renews its lease.
    const diedAt = Date.now();
    dying.disconnect();
    await waitUntil(
      async () => (await survivor.acquire(companyId, 1)).granted,
      5_000,
      "the lease granted again",
    );
    expect(Date.now() - diedAt).toBeLessThan(ttlMs + 1_000);
    await Promise.all([crashed.close(), survivor.close()]);
  });

  it("Redis unavailable: the stream is let through, not refused", async () => {
    const down = redis.connect();
    down.disconnect();
    const leases = leasesOn(down);
    const answer = await leases.acquire(randomUUID(), 1);
    expect(answer.granted).toBe(true);
    await leases.close();
  });
});
