import { randomUUID } from "node:crypto";
import { silentLogger } from "@kiln/core";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createRateLimiter, type RateLimiter } from "./rate-limits.ts";
import { createTestRedis, testLimits } from "./test-support.ts";

let redis: ReturnType<typeof createTestRedis>;
let instanceA: RateLimiter;
let instanceB: RateLimiter;

beforeAll(async () => {
  redis = createTestRedis();
  const options = { prefix: redis.prefix, burstWindowSeconds: 10, logger: silentLogger };
  // Connected first: a connection that is not ready yet is counted in memory (as while Redis is down).
  const [first, second] = [redis.connect(), redis.connect()];
  await Promise.all([first.ping(), second.ping()]);
  instanceA = createRateLimiter({ ...options, redis: first });
  instanceB = createRateLimiter({ ...options, redis: second });
});
afterAll(() => redis?.close());

const subject = () => ({ keyId: randomUUID(), companyId: randomUUID() });

describe("rate limits shared through Redis", () => {
  it("a key's steady rate and then its burst allowance are shared by every instance; then 429", async () => {
    const caller = subject();
    const limits = testLimits({ submitsPerSecondPerKey: 3, submitBurstPerKey: 2 });
    const decisions = [];
    for (const instance of [instanceA, instanceB, instanceA, instanceB, instanceA, instanceB, instanceA]) {
      decisions.push(await instance.consume("submit", caller, limits));
    }
    expect(decisions.map((decision) => decision.allowed)).toEqual([
      true,
      true,
      true,
      true,
      true,
      false,
      false,
    ]);

    expect(decisions[0]!.policies).toEqual([
      { name: "submit", quota: 3, windowSeconds: 1 },
      { name: "submit-burst", quota: 2, windowSeconds: 10 },
      { name: "submit-company", quota: 100, windowSeconds: 1 },
    ]);
    expect(decisions[1]!.states.find((state) => state.policy === "submit")).toMatchObject({ remaining: 1 });
    // The steady rate is used up: the burst allowance answers, and says what is left of it.
    expect(decisions[3]!.states.find((state) => state.policy === "submit-burst")).toMatchObject({
      remaining: 1,
      quota: 2,
      windowSeconds: 10,
    });
    const refused = decisions[5]!;
    expect(refused.violated).toEqual(["submit"]);
    expect(refused.retryAfterSeconds).toBe(1);
    expect(refused.states.find((state) => state.policy === "submit")).toMatchObject({ remaining: 0 });
  });

  it("after Retry-After the steady rate is back", async () => {
    const caller = subject();
    const limits = testLimits({ submitsPerSecondPerKey: 2, submitBurstPerKey: 0 });
    await instanceA.consume("submit", caller, limits);
    await instanceB.consume("submit", caller, limits);
    const refused = await instanceA.consume("submit", caller, limits);
    expect(refused.allowed).toBe(false);
    await new Promise((resolve) => setTimeout(resolve, refused.retryAfterSeconds * 1000));
    expect((await instanceB.consume("submit", caller, limits)).allowed).toBe(true);
  });

  it("the company's limit counts every key of the company", async () => {
    const companyId = randomUUID();
    const limits = testLimits({ submitsPerSecondPerKey: 100, submitsPerSecondPerCompany: 3 });
    const answers = [];
    for (let index = 0; index < 4; index++) {
      answers.push(await instanceA.consume("submit", { companyId, keyId: randomUUID() }, limits));
    }
    expect(answers.map((answer) => answer.allowed)).toEqual([true, true, true, false]);
    expect(answers[3]!.violated).toEqual(["submit-company"]);
  });

  it("reads are counted apart from submits", async () => {
    const caller = subject();
    const limits = testLimits({ submitsPerSecondPerKey: 1, submitBurstPerKey: 0, readsPerSecondPerKey: 5 });
    expect((await instanceA.consume("submit", caller, limits)).allowed).toBe(true);
    expect((await instanceA.consume("submit", caller, limits)).allowed).toBe(false);
    expect((await instanceA.consume("read", caller, limits)).allowed).toBe(true);
  });

  it("peek reports the state without counting a request", async () => {
    const caller = subject();
    const limits = testLimits({ submitsPerSecondPerKey: 3, submitBurstPerKey: 2 });
    await instanceA.consume("submit", caller, limits);
    const first = await instanceB.peek("submit", caller, limits);
    const second = await instanceB.peek("submit", caller, limits);
    expect(second).toEqual(first);
    expect(first.find((state) => state.policy === "submit")).toMatchObject({ quota: 3, remaining: 2 });
    expect(first.find((state) => state.policy === "submit-burst")).toMatchObject({ quota: 2, remaining: 2 });
    const companyOnly = await instanceB.peek("submit", { keyId: null, companyId: caller.companyId }, limits);
    expect(companyOnly.map((state) => state.policy)).toEqual(["submit-company"]);
  });
});

describe("Redis unavailable", () => {
  it("each instance limits alone, in memory, and no request fails", async () => {
    // Nothing listens on port 1: the connection never becomes ready.
    const down = new Redis("redis://127.0.0.1:1", { maxRetriesPerRequest: 1, lazyConnect: true });
    down.on("error", () => {});
    void down.connect().catch(() => {});
    const alone = createRateLimiter({ redis: down, prefix: redis.prefix, logger: silentLogger });
    const caller = subject();
    const limits = testLimits({ submitsPerSecondPerKey: 2, submitBurstPerKey: 0 });
    const answers = [];
    for (let index = 0; index < 3; index++) answers.push(await alone.consume("submit", caller, limits));
    expect(answers.map((answer) => answer.allowed)).toEqual([true, true, false]);
    expect(answers[2]!.retryAfterSeconds).toBe(1);
    down.disconnect();
  });
});
