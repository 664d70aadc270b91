import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { RenderError, silentLogger } from "@kiln/core";
import { createCompanyStore, type PrismaClient } from "@kiln/db";
import { createPrismaForTest } from "@kiln/db/testing";
import { queueBackoffStrategy } from "@kiln/jobs";
import { createEngineForTest, type EngineForTest } from "@kiln/jobs/testing";
import {
  createRedisConnection,
  type JobQueues,
  type QueuedJobData,
  queueNameOf,
  queuePrefixOf,
  type RedisClient,
} from "@kiln/queue";
import { createLocalArtifactStore } from "@kiln/storage";
import { createTestDatabase, type TestDatabase } from "@kiln/testkit/databases";
import { deleteRedisKeys } from "@kiln/testkit/redis";
import { type Job as BullJob, Worker } from "bullmq";
import { afterAll, afterEach, beforeAll, expect, it, vi } from "vitest";
import { type AttemptResult, abortReasons, createJobProcessor } from "./process-job.ts";
import { createReleasedJobRequeuer } from "./requeue-released.ts";

const redisUrl = process.env.KILN_TEST_REDIS_URL ?? "redis://127.0.0.1:6379/13";
const prefix = `kiln-test-${randomBytes(5).toString("hex")}`;
const jobType = "canary";

let database: TestDatabase;
let prisma: PrismaClient;
let redis: RedisClient;
let blocking: RedisClient;
let storageDir: string;
let queues: JobQueues;
let kiln: EngineForTest;
let companyId: string;

beforeAll(async () => {
  database = await createTestDatabase();
  prisma = await createPrismaForTest(database.url);
  redis = createRedisConnection({ url: redisUrl, name: "kiln-test" });
  blocking = createRedisConnection({ url: redisUrl, name: "kiln-test-worker", blocking: true });
  storageDir = await mkdtemp(join(tmpdir(), "kiln-test-storage-"));
  kiln = createEngineForTest({ prisma, redis, prefix });
  queues = kiln.queues;
  companyId = (await createCompanyStore({ prisma }).createCompany("Acme")).id;
});

afterAll(async () => {
  await kiln.close();
  await deleteRedisKeys(redis, `${prefix}:*`);
  redis.disconnect();
  blocking.disconnect();
  await prisma.$disconnect();
  await database.drop();
  await rm(storageDir, { recursive: true, force: true });
});

/** How the first attempt ends: it fails for good, or it renders until it is cancelled. */
type FirstAttempt = "fails" | "runs-until-cancelled";

let closeWorker: (() => Promise<void>) | undefined;
afterEach(async () => {
  await closeWorker?.();
  closeWorker = undefined;
});

/**
 * A real BullMQ worker running Kiln's processor, with the requeuer as `runWorker` wires it. While
 * `holdEntry` is pending, an attempt that has ended keeps its queue entry (and lock) anyway, as a
 * worker whose loop is slow to move it on does.
 */
const startWorker = (holdEntry: Promise<void>) => {
  const processJob = createJobProcessor({
    engine: kiln.engine,
    artifacts: createLocalArtifactStore({ root: storageDir }),
    render: async (_jobType, input, ctx) => {
      if (ctx.attempt === 1) {
        if ((input as { first: FirstAttempt }).first === "fails")
          throw new RenderError("bad_input", "refused", { retryable: false });
        await new Promise((_resolve, reject) =>
          ctx.signal.addEventListener("abort", () => reject(ctx.signal.reason), { once: true }),
        );
      }
      await ctx.writeArtifact({ name: "out.txt", contentType: "text/plain", body: `attempt ${ctx.attempt}` });
    },
    logger: silentLogger,
    progressIntervalMs: 0,
  });
  const worker = new Worker<QueuedJobData, AttemptResult>(
    queueNameOf(jobType),
    async (bullJob: BullJob<QueuedJobData>, token?: string, signal?: AbortSignal) => {
      const ended = await processJob(bullJob, token, signal).then(
        (result) => ({ result }),
        (error: unknown) => ({ error }),
      );
      await holdEntry;
      if ("error" in ended) throw ended.error;
      return ended.result;
    },
    {
      connection: blocking,
      prefix: queuePrefixOf(prefix, jobType),
      concurrency: 2,
      settings: { backoffStrategy: queueBackoffStrategy(10) },
    },
  );
  worker.on("error", () => {});
  const requeuer = createReleasedJobRequeuer({ engine: kiln.engine, logger: silentLogger });
  requeuer.watch(worker);
  closeWorker = async () => {
    await worker.close(true);
    await requeuer.close();
  };
  return worker;
};

const submit = async (first: FirstAttempt) => {
  const { job } = await kiln.engine.submit({
    companyId,
    jobType,
    input: { first },
    priority: 0,
    maxAttempts: 1,
  });
  return job.id;
};

const rowOf = (jobId: string) => prisma.contentJob.findUniqueOrThrow({ where: { id: jobId } });

/** `POST …/retry`: the row first, then an attempt to replace the queue entry (a no-op while it is locked). */
const retryAsTheApiDoes = (jobId: string) => kiln.engine.retry(companyId, jobId);

it("a job retried after it failed, before its worker let go of the entry, runs again once it does", async () => {
  let letGo = () => {};
  startWorker(new Promise<void>((resolve) => (letGo = resolve)));
  const jobId = await submit("fails");
  await vi.waitFor(async () => expect((await rowOf(jobId)).status).toBe("failed"), { timeout: 10_000 });

  expect(await retryAsTheApiDoes(jobId)).toMatchObject({ status: "queued" });
  expect(await queues.stateOf(jobType, jobId)).toBe("active");
  letGo();

  await vi.waitFor(async () => expect(await rowOf(jobId)).toMatchObject({ status: "done", attempts: 2 }), {
    timeout: 3_000,
  });
  // The done attempt's entry goes too (the row is written just before BullMQ moves it on).
  await vi.waitFor(async () => expect(await queues.stateOf(jobType, jobId)).toBe("missing"), {
    timeout: 3_000,
  });
});

it("a job cancelled and retried while its attempt runs runs again once that attempt stops", async () => {
  const worker = startWorker(Promise.resolve());
  const jobId = await submit("runs-until-cancelled");
  await vi.waitFor(async () => expect((await rowOf(jobId)).status).toBe("running"), { timeout: 10_000 });

  // The cancel reaches the row, but not yet the worker (its control message is still on the way).
  expect(await kiln.engine.cancel(companyId, jobId)).toMatchObject({ status: "cancelled" });
  expect(await retryAsTheApiDoes(jobId)).toMatchObject({ status: "queued" });
  expect(await queues.stateOf(jobType, jobId)).toBe("active");
  worker.cancelJob(jobId, abortReasons.cancelled);

  await vi.waitFor(async () => expect(await rowOf(jobId)).toMatchObject({ status: "done", attempts: 2 }), {
    timeout: 3_000,
  });
});

it("a job that was not retried is left alone when its attempt lets go", async () => {
  startWorker(Promise.resolve());
  const failed = await submit("fails");
  await vi.waitFor(async () => expect(await queues.stateOf(jobType, failed)).toBe("failed"), {
    timeout: 10_000,
  });
  expect(await kiln.engine.requeueIfQueued(companyId, failed)).toBe(false);
  expect(await rowOf(failed)).toMatchObject({ status: "failed", attempts: 1 });
  expect(await queues.stateOf(jobType, failed)).toBe("failed");
});
