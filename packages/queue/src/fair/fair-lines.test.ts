import { randomBytes } from "node:crypto";
import { deleteRedisKeys } from "@kiln/testkit/redis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { queueNameOf, queuePrefixOf } from "../job-queues.ts";
import { createRedisConnection, type RedisClient } from "../redis-connection.ts";
import { createFairLines, type FairLines, fairLineKeys } from "./fair-lines.ts";

// KILN_TEST_REDIS_URL may name a cluster (redis+cluster://…): every script here keeps to one slot.
const redisUrl = process.env.KILN_TEST_REDIS_URL ?? "redis://127.0.0.1:6379/13";
const prefix = `kiln-test-${randomBytes(5).toString("hex")}`;
let redis: RedisClient;
let lines: FairLines;

beforeAll(() => {
  redis = createRedisConnection({ url: redisUrl, name: "kiln-test" });
  lines = createFairLines({ redis, prefix });
});

afterAll(async () => {
  await deleteRedisKeys(redis, `${prefix}:*`);
  redis.disconnect();
});

let typeCount = 0;
/** A job type of its own per test, with a stand-in for its BullMQ wait list. */
const newType = async (slots = 2) => {
  const jobType = `t${++typeCount}`;
  // Named as BullMQ names them: in the job type's slot, beside its lines.
  const queueKeys = `${queuePrefixOf(prefix, jobType)}:${queueNameOf(jobType)}`;
  const ready = { wait: `${queueKeys}:wait`, prioritized: `${queueKeys}:prioritized` };
  await lines.announceSlots(jobType, "worker-1", slots, 60_000);
  /** Dispatches, puts what is due on the stand-in queue, and has a slot take the oldest ready job. */
  const takeNext = async (): Promise<string | null> => {
    const due = await lines.dispatch(jobType, ready);
    for (const job of due) await redis.rpush(ready.wait, job.id);
    await lines.landed(
      jobType,
      due.map((job) => job.id),
    );
    return redis.lpop(ready.wait);
  };
  return { jobType, ready, takeNext };
};

const add = (
  jobType: string,
  companyId: string,
  id: string,
  extra: { priority?: number; maxRunning?: number } = {},
) =>
  lines.add({
    id,
    companyId,
    jobType,
    priority: extra.priority ?? 0,
    attempts: 5,
    maxRunning: extra.maxRunning,
  });

describe("fair lines", () => {
  it("serve companies in turn, however many jobs one of them floods in", async () => {
    const { jobType, takeNext } = await newType();
    for (let i = 1; i <= 50; i++) await add(jobType, "A", `a${i}`);
    expect(await takeNext()).toBe("a1");
    for (let i = 1; i <= 3; i++) await add(jobType, "B", `b${i}`);
    const order: (string | null)[] = [];
    for (let i = 0; i < 8; i++) order.push(await takeNext());
    expect(order).toEqual(["a2", "b1", "a3", "b2", "a4", "b3", "a5", "a6"]);
  });

  it("order a company's own line by its priority, then first come", async () => {
    const { jobType, takeNext } = await newType();
    await add(jobType, "A", "low-1");
    await add(jobType, "A", "low-2");
    await add(jobType, "A", "high", { priority: 100 });
    expect([await takeNext(), await takeNext(), await takeNext()]).toEqual(["high", "low-1", "low-2"]);
  });

  it("keep about one ready job per two slots in the queue", async () => {
    const { jobType, ready } = await newType(4);
    for (let i = 1; i <= 10; i++) await add(jobType, "A", `a${i}`);
    expect((await lines.dispatch(jobType, ready)).map((job) => job.id)).toEqual(["a1", "a2"]);
    // Handed out but not added to the queue yet: they count as ready already.
    expect(await lines.dispatch(jobType, ready)).toEqual([]);
    await redis.rpush(ready.wait, "a1", "a2");
    await lines.landed(jobType, ["a1", "a2"]);
    expect(await lines.dispatch(jobType, ready)).toEqual([]);
  });

  it("skip a company at its running cap until one of its jobs is released", async () => {
    const { jobType, takeNext } = await newType();
    for (let i = 1; i <= 3; i++) await add(jobType, "A", `a${i}`, { maxRunning: 1 });
    await add(jobType, "B", "b1");
    await add(jobType, "B", "b2");
    expect(await takeNext()).toBe("a1");
    expect(await takeNext()).toBe("b1");
    expect(await takeNext()).toBe("b2");
    expect(await takeNext()).toBeNull();
    await lines.release(jobType, "A", "a1");
    expect(await takeNext()).toBe("a2");
  });

  it("list the jobs counting against each company's cap, and forget a company with none", async () => {
    const { jobType, takeNext } = await newType();
    await add(jobType, "A", "a1");
    await add(jobType, "B", "b1");
    expect(await takeNext()).toBe("a1");
    expect(await takeNext()).toBe("b1");
    expect(await lines.inflight(jobType)).toEqual(
      new Map([
        ["A", ["a1"]],
        ["B", ["b1"]],
      ]),
    );
    await lines.release(jobType, "A", "a1");
    expect(await lines.inflight(jobType)).toEqual(new Map([["B", ["b1"]]]));
    expect(await redis.smembers(fairLineKeys(prefix, jobType).inflightCompanies)).toEqual(["B"]);
  });

  it("give a company of weight 2 two turns for one", async () => {
    const { jobType, takeNext } = await newType(2);
    await lines.setWeight(jobType, "A", 2);
    for (let i = 1; i <= 4; i++) await add(jobType, "A", `a${i}`);
    for (let i = 1; i <= 2; i++) await add(jobType, "B", `b${i}`);
    const order: (string | null)[] = [];
    for (let i = 0; i < 6; i++) order.push(await takeNext());
    // Window 1: each dispatch hands out one job, so a turn of two spans two dispatches.
    expect(order.filter((id) => id?.startsWith("a")).length).toBe(4);
    expect(order.indexOf("b2") - order.indexOf("b1")).toBeGreaterThan(1);
  });

  it("add idempotently, remove a lined job, and report line lengths", async () => {
    const { jobType, ready } = await newType();
    await add(jobType, "A", "a1");
    await add(jobType, "A", "a1");
    await add(jobType, "A", "a2");
    expect(await lines.lineLengths(jobType)).toEqual(new Map([["A", 2]]));
    expect(await lines.remove(jobType, "a1")).toBe(true);
    expect(await lines.remove(jobType, "a1")).toBe(false);
    expect(await lines.isLined(jobType, "a1")).toBe(false);
    expect(await lines.isLined(jobType, "a2")).toBe(true);
    expect((await lines.dispatch(jobType, ready)).map((job) => job.id)).toEqual(["a2"]);
    expect(await lines.isLined(jobType, "a2")).toBe(false);
  });

  it("stop counting a worker's slots once its announcement lapses", async () => {
    const { jobType, ready } = await newType(0);
    await lines.announceSlots(jobType, "gone", 8, -1);
    await lines.announceSlots(jobType, "alive", 2, 60_000);
    for (let i = 1; i <= 5; i++) await add(jobType, "A", `a${i}`);
    expect(await lines.dispatch(jobType, ready)).toHaveLength(1);
  });
});
