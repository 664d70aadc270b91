import { randomBytes } from "node:crypto";
import { silentLogger } from "@kiln/core";
import { createCompanyStore, type PrismaClient } from "@kiln/db";
import { createPrismaForTest } from "@kiln/db/testing";
import { maxInterruptionRefunds } from "@kiln/jobs";
import { createEngineForTest, type EngineForTest } from "@kiln/jobs/testing";
import { createRedisConnection, type RedisClient } from "@kiln/queue";
import { createLocalArtifactStore } from "@kiln/storage";
import { createTestDatabase, type TestDatabase } from "@kiln/testkit/databases";
import { deleteRedisKeys } from "@kiln/testkit/redis";
import type { Job as BullJob } from "bullmq";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { abortReasons, createJobProcessor } from "./process-job.ts";

const redisUrl = process.env.KILN_TEST_REDIS_URL ?? "redis://127.0.0.1:6379/13";
const prefix = `kiln-test-${randomBytes(5).toString("hex")}`;

let database: TestDatabase;
let prisma: PrismaClient;
let redis: RedisClient;
let companyId: string;
let kiln: EngineForTest;

beforeAll(async () => {
  database = await createTestDatabase();
  prisma = await createPrismaForTest(database.url);
  redis = createRedisConnection({ url: redisUrl, name: "kiln-test" });
  kiln = createEngineForTest({ prisma, redis, prefix });
  companyId = (await createCompanyStore({ prisma }).createCompany("Acme")).id;
});

afterAll(async () => {
  await kiln.close();
  await deleteRedisKeys(redis, `${prefix}:*`);
  redis.disconnect();
  await prisma.$disconnect();
  await database.drop();
});

/**
 * The processor with a render that runs until the worker stops it, as a long render does when a
 * shutdown or a lost lock interrupts it. Each call is one attempt handed out by the queue.
 */
const interruptedAttempt = async (jobId: string, reason: string) => {
  const processJob = createJobProcessor({
    engine: kiln.engine,
    artifacts: createLocalArtifactStore({ root: "/nonexistent" }),
    render: (_jobType, _input, ctx) =>
      new Promise((_resolve, reject) => {
        ctx.signal.addEventListener("abort", () => reject(ctx.signal.reason), { once: true });
        setImmediate(() => stop.abort(reason));
      }),
    logger: silentLogger,
    progressIntervalMs: 0,
  });
  const stop = new AbortController();
  const bullJob = { id: jobId, attemptsMade: 0 } as BullJob;
  return processJob(bullJob, undefined, stop.signal).then(
    () => "completed",
    (error: unknown) => (error instanceof Error && error.name === "UnrecoverableError" ? "failed" : "retry"),
  );
};

const newJob = (maxAttempts: number) => kiln.createRow({ companyId, maxAttempts });

describe("attempt accounting", () => {
  it(`hands back at most ${maxInterruptionRefunds} interrupted attempts; the next one counts`, async () => {
    const jobId = await newJob(1);
    const outcomes: string[] = [];
    for (let i = 0; i < maxInterruptionRefunds + 1; i++) {
      outcomes.push(await interruptedAttempt(jobId, abortReasons.shutdown));
    }
    expect(outcomes).toEqual([...Array(maxInterruptionRefunds).fill("retry"), "failed"]);
    const row = await prisma.contentJob.findUniqueOrThrow({ where: { id: jobId } });
    expect(row).toMatchObject({ status: "failed", attempts: 1 + maxInterruptionRefunds });
    expect(row.attempts).toBeLessThanOrEqual(row.maxAttempts + maxInterruptionRefunds);
    expect(row.error).toMatchObject({ code: "worker_interrupted" });
    // The queue handing the job out again after that finds it terminal: no attempt starts.
    expect(await interruptedAttempt(jobId, abortReasons.shutdown)).toBe("completed");
    expect((await prisma.contentJob.findUniqueOrThrow({ where: { id: jobId } })).attempts).toBe(row.attempts);
  });

  it("a lock lost while the worker's own loop was healthy is handed back", async () => {
    const jobId = await newJob(1);
    expect(await interruptedAttempt(jobId, abortReasons.lockLost)).toBe("retry");
    expect(await prisma.contentJob.findUniqueOrThrow({ where: { id: jobId } })).toMatchObject({
      status: "queued",
      attemptLimit: 2,
      interruptionRefunds: 1,
    });
  });

  it("a lock lost after the worker's own loop stalled uses up the attempt", async () => {
    const jobId = await newJob(1);
    expect(await interruptedAttempt(jobId, abortReasons.lockLostStalled)).toBe("failed");
    expect(await prisma.contentJob.findUniqueOrThrow({ where: { id: jobId } })).toMatchObject({
      status: "failed",
      attempts: 1,
      interruptionRefunds: 0,
      error: { code: "worker_interrupted" },
    });
  });
});
