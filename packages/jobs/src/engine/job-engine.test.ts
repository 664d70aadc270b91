import { randomBytes } from "node:crypto";
import type { JobEvent } from "@kiln/core";
import { createCompanyStore, type PrismaClient } from "@kiln/db";
import { createPrismaForTest } from "@kiln/db/testing";
import { createEventLog, createRedisConnection, type RedisClient, RetryLater } from "@kiln/queue";
import { createTestDatabase, type TestDatabase } from "@kiln/testkit/databases";
import { deleteRedisKeys } from "@kiln/testkit/redis";
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { maxInterruptionRefunds, queueAttemptsFor } from "../lifecycle/attempt-budget.ts";
import { createEngineForTest, type EngineForTest } from "../testing/index.ts";
import type { AttemptHandle } from "./job-engine.ts";
import { queueBackoffStrategy } from "./queue-backoff.ts";

const redisUrl = process.env.KILN_TEST_REDIS_URL ?? "redis://127.0.0.1:6379/13";
const prefix = `kiln-test-${randomBytes(5).toString("hex")}`;
const backoffMs = 100;

let database: TestDatabase;
let prisma: PrismaClient;
let redis: RedisClient;
let kiln: EngineForTest;
let companyId: string;
const deleted: string[] = [];
/** Companies with a fleet-wide cap of one running job per type. */
const cappedCompanies = new Set<string>();

beforeAll(async () => {
  database = await createTestDatabase();
  prisma = await createPrismaForTest(database.url);
  redis = createRedisConnection({ url: redisUrl, name: "kiln-test" });
  kiln = createEngineForTest({
    prisma,
    redis,
    prefix,
    retryBackoffMs: backoffMs,
    artifacts: { deleteJob: async (_companyId, jobId) => void deleted.push(jobId) },
    limits: {
      runningCap: async (id) => (cappedCompanies.has(id) ? 1 : null),
      maxActiveJobs: async (id) => (cappedCompanies.has(id) ? 3 : null),
    },
  });
  companyId = (await createCompanyStore({ prisma }).createCompany("Acme")).id;
});

afterAll(async () => {
  await kiln.close();
  await deleteRedisKeys(redis, `${prefix}:*`);
  redis.disconnect();
  await prisma.$disconnect();
  await database.drop();
});

const events = () => createEventLog({ redis, prefix });
/** The job's events, as its stream replays them: type and the data that tells them apart. */
const eventsOf = async (jobId: string) =>
  (await events().replayJob(companyId, jobId, "0")).map((event: JobEvent) => event.type);

const rowOf = (jobId: string) => prisma.contentJob.findUniqueOrThrow({ where: { id: jobId } });

const submit = async (maxAttempts = 3) =>
  (
    await kiln.engine.submit({
      companyId,
      jobType: "canary",
      input: { durationMs: 0, steps: 1 },
      priority: 5,
      maxAttempts,
    })
  ).job.id;

const start = async (jobId: string): Promise<AttemptHandle> => {
  const started = await kiln.engine.startAttempt(jobId);
  if (started.kind !== "started") throw new Error(`not started: ${started.reason}`);
  return started.handle;
};

const boom = { code: "boom", message: "it broke" };

describe("submit", () => {
  it("commits the row queued, enqueues it with the budget's queue attempts and publishes created", async () => {
    const jobId = await submit(4);
    expect(await rowOf(jobId)).toMatchObject({ status: "queued", attempts: 0, attemptLimit: 4 });
    const entry = await kiln.queues.queue("canary").getJob(jobId);
    expect(entry?.opts).toMatchObject({ attempts: queueAttemptsFor(4), backoff: { type: "kiln" } });
    expect(await eventsOf(jobId)).toEqual(["content_job.created"]);
  });

  it("an idempotent replay returns the same job and publishes nothing more", async () => {
    const request = {
      companyId,
      jobType: "canary",
      input: {},
      priority: 0,
      maxAttempts: 1,
      idempotency: { key: `k-${randomBytes(4).toString("hex")}`, requestHash: "h", ttlMs: 60_000 },
    };
    const first = await kiln.engine.submit(request);
    const again = await kiln.engine.submit(request);
    expect(again).toMatchObject({ created: false, job: { id: first.job.id } });
    expect(await eventsOf(first.job.id)).toEqual(["content_job.created"]);
    await expect(
      kiln.engine.submit({ ...request, idempotency: { ...request.idempotency, requestHash: "other" } }),
    ).rejects.toMatchObject({ code: "conflict" });
  });
});

describe("an attempt", () => {
  it("starts, reports progress that never goes back, and completes", async () => {
    const jobId = await submit();
    const handle = await start(jobId);
    expect(handle).toMatchObject({ attempt: 1, attemptLimit: 3, interruptionRefunds: 0, maxAttempts: 3 });
    expect(await kiln.engine.reportProgress(handle, 40, "half")).toBe(true);
    expect(await kiln.engine.reportProgress(handle, 30, "back")).toBe(false);
    const done = await kiln.engine.complete(handle, [
      { name: "a.json", contentType: "application/json", size: 2, sha256: "00" },
    ]);
    expect(done).toMatchObject({ status: "done", progress: 100, attempts: 1 });
    expect(await eventsOf(jobId)).toEqual([
      "content_job.created",
      "content_job.started",
      "content_job.progress",
      "content_job.done",
    ]);
  });

  it("that fails retries with the exponential backoff of its budget, then fails for good", async () => {
    const jobId = await submit(3);
    const ends = [];
    for (let i = 0; i < 3; i++)
      ends.push(await kiln.engine.fail(await start(jobId), boom, { permanent: false }));
    expect(ends).toEqual([
      { kind: "retrying", delayMs: backoffMs },
      { kind: "retrying", delayMs: backoffMs * 2 },
      { kind: "failed" },
    ]);
    expect(await rowOf(jobId)).toMatchObject({ status: "failed", attempts: 3, error: boom });
    const retrying = (await events().replayJob(companyId, jobId, "0")).filter(
      (e) => e.type === "content_job.retrying",
    );
    expect(retrying.map((e) => e.data)).toMatchObject([
      { attempt: 2, delayMs: backoffMs, error: boom },
      { attempt: 3, delayMs: backoffMs * 2, error: boom },
    ]);
    // The queue adapter retries after exactly the engine's delay.
    const strategy = queueBackoffStrategy(backoffMs);
    expect(strategy(7, "kiln", new RetryLater("x", 123))).toBe(123);
    expect(strategy(3, "kiln", new Error("database down"))).toBe(backoffMs * 4);
  });

  it("with a permanent error fails at once", async () => {
    const jobId = await submit(3);
    expect(await kiln.engine.fail(await start(jobId), boom, { permanent: true })).toEqual({ kind: "failed" });
    expect(await rowOf(jobId)).toMatchObject({ status: "failed", attempts: 1 });
  });

  it(`handed back by the worker is refunded ${maxInterruptionRefunds} times, then counts`, async () => {
    const jobId = await submit(1);
    const ends = [];
    for (let i = 0; i <= maxInterruptionRefunds; i++)
      ends.push((await kiln.engine.handBack(await start(jobId), "shutdown")).kind);
    expect(ends).toEqual([...Array(maxInterruptionRefunds).fill("retrying"), "failed"]);
    expect(await rowOf(jobId)).toMatchObject({
      status: "failed",
      attempts: 1 + maxInterruptionRefunds,
      interruptionRefunds: maxInterruptionRefunds,
      error: { code: "worker_interrupted" },
    });
  });

  it("handed back by the worker's own fault (`counts`) uses up the attempt", async () => {
    const jobId = await submit(1);
    expect(await kiln.engine.handBack(await start(jobId), "lock_lost_after_stall", { counts: true })).toEqual(
      {
        kind: "failed",
      },
    );
    expect(await rowOf(jobId)).toMatchObject({ attempts: 1, interruptionRefunds: 0 });
  });

  it("refunded attempts do not grow the backoff", async () => {
    const jobId = await submit(3);
    await kiln.engine.handBack(await start(jobId), "shutdown");
    expect(await kiln.engine.fail(await start(jobId), boom, { permanent: false })).toEqual({
      kind: "retrying",
      delayMs: backoffMs,
    });
  });

  it("whose worker was lost restarts with worker_lost, and the budget ends it", async () => {
    const jobId = await submit(2);
    await start(jobId);
    const second = await start(jobId);
    expect(second.attempt).toBe(2);
    expect(await kiln.engine.startAttempt(jobId)).toEqual({ kind: "skipped", reason: "exhausted" });
    expect(await rowOf(jobId)).toMatchObject({ status: "failed", error: { code: "attempts_exhausted" } });
    const types = await eventsOf(jobId);
    expect(types).toEqual([
      "content_job.created",
      "content_job.started",
      "content_job.retrying",
      "content_job.started",
      "content_job.failed",
    ]);
    const lost = (await events().replayJob(companyId, jobId, "0")).find(
      (e) => e.type === "content_job.retrying",
    );
    expect(lost?.data).toMatchObject({ attempt: 2, error: { code: "worker_lost" } });
  });
});

describe("fencing: only the newest attempt writes", () => {
  it("a superseded attempt can neither progress, complete nor fail the job", async () => {
    const jobId = await submit(3);
    const old = await start(jobId);
    const current = await start(jobId);
    expect(await kiln.engine.reportProgress(old, 50, "stale")).toBe(false);
    expect(await kiln.engine.complete(old, [])).toBeNull();
    expect(await kiln.engine.fail(old, boom, { permanent: true })).toEqual({ kind: "released" });
    expect(await kiln.engine.handBack(old, "shutdown")).toEqual({ kind: "released" });
    expect(await rowOf(jobId)).toMatchObject({ status: "running", attempts: current.attempt, progress: 0 });
  });

  it("a cancelled job's attempt is released, and a finished job starts no attempt", async () => {
    const jobId = await submit(3);
    const handle = await start(jobId);
    await kiln.engine.cancel(companyId, jobId);
    expect(await kiln.engine.complete(handle, [])).toBeNull();
    expect(await kiln.engine.fail(handle, boom, { permanent: false })).toEqual({ kind: "released" });
    expect(await kiln.engine.startAttempt(jobId)).toEqual({ kind: "skipped", reason: "terminal" });
    expect(await kiln.engine.startAttempt("00000000-0000-4000-8000-000000000000")).toEqual({
      kind: "skipped",
      reason: "missing",
    });
    expect(await rowOf(jobId)).toMatchObject({ status: "cancelled", attempts: 1 });
  });
});

describe("cancel and retry", () => {
  it("cancel removes the queued entry and publishes cancelled; a second cancel conflicts", async () => {
    const jobId = await submit();
    expect(await kiln.engine.cancel(companyId, jobId)).toMatchObject({ status: "cancelled" });
    expect(await kiln.queues.stateOf("canary", jobId)).toBe("missing");
    await expect(kiln.engine.cancel(companyId, jobId)).rejects.toMatchObject({ code: "conflict" });
    await expect(kiln.engine.cancel(companyId, "00000000-0000-4000-8000-000000000000")).rejects.toMatchObject(
      {
        code: "not_found",
      },
    );
    expect(await eventsOf(jobId)).toEqual(["content_job.created", "content_job.cancelled"]);
  });

  it("cancel is per company: another company's job is not found", async () => {
    const jobId = await submit();
    const other = (await createCompanyStore({ prisma }).createCompany("Other")).id;
    await expect(kiln.engine.cancel(other, jobId)).rejects.toMatchObject({ code: "not_found" });
    expect((await rowOf(jobId)).status).toBe("queued");
  });

  it("retry gives a failed job a fresh budget, deletes its artifacts and enqueues it again", async () => {
    const jobId = await submit(1);
    await kiln.engine.fail(await start(jobId), boom, { permanent: false });
    const retried = await kiln.engine.retry(companyId, jobId);
    expect(retried).toMatchObject({ status: "queued", attempts: 1, error: null, artifacts: [] });
    expect(await rowOf(jobId)).toMatchObject({ attemptLimit: 2 });
    expect(deleted).toContain(jobId);
    expect(await kiln.queues.stateOf("canary", jobId)).not.toBe("missing");
    // The retried budget counts its attempts from one again.
    expect(await kiln.engine.fail(await start(jobId), boom, { permanent: false })).toEqual({
      kind: "failed",
    });
    expect(await eventsOf(jobId)).toEqual([
      "content_job.created",
      "content_job.started",
      "content_job.failed",
      "content_job.status",
      "content_job.started",
      "content_job.failed",
    ]);
  });

  it("retry of a queued, running or done job conflicts and changes nothing", async () => {
    const jobId = await submit();
    await expect(kiln.engine.retry(companyId, jobId)).rejects.toMatchObject({ code: "conflict" });
    await start(jobId);
    await expect(kiln.engine.retry(companyId, jobId)).rejects.toMatchObject({ code: "conflict" });
    expect(await rowOf(jobId)).toMatchObject({ status: "running", attempts: 1 });
  });
});

describe("reconcile and requeue", () => {
  it("enqueues an old active row whose entry is missing or finished, and leaves live ones alone", async () => {
    const orphan = await kiln.createRow({ companyId, maxAttempts: 3 });
    const live = await submit();
    const report = await kiln.engine.reconcile({ olderThan: new Date(Date.now() + 1_000) });
    expect(report.enqueued).toBeGreaterThanOrEqual(1);
    expect(await kiln.queues.stateOf("canary", orphan)).not.toBe("missing");
    const again = await kiln.engine.reconcile({ olderThan: new Date(Date.now() + 1_000) });
    expect(again.enqueued).toBe(0);
    expect(await kiln.queues.stateOf("canary", live)).not.toBe("missing");
  });

  it("leaves rows younger than the grace alone", async () => {
    const young = await kiln.createRow({ companyId, maxAttempts: 3 });
    await kiln.engine.reconcile({ olderThan: new Date(Date.now() - 60_000) });
    expect(await kiln.queues.stateOf("canary", young)).toBe("missing");
  });

  it("requeueIfQueued enqueues a queued row without a live entry, and nothing else", async () => {
    const queued = await kiln.createRow({ companyId, maxAttempts: 3 });
    expect(await kiln.engine.requeueIfQueued(companyId, queued)).toBe(true);
    expect(await kiln.engine.requeueIfQueued(companyId, queued)).toBe(false);
    const failed = await submit(1);
    await kiln.engine.fail(await start(failed), boom, { permanent: true });
    expect(await kiln.engine.requeueIfQueued(companyId, failed)).toBe(false);
  });
});

describe("a company's running cap", () => {
  let jobType = "";
  beforeEach(() => {
    jobType = `capped-${randomBytes(3).toString("hex")}`;
  });
  const submitCapped = async (company: string) =>
    (await kiln.engine.submit({ companyId: company, jobType, input: {}, priority: 0, maxAttempts: 1 })).job
      .id;
  const queued = async () => (await kiln.queues.queue(jobType).getWaiting()).map((entry) => entry.id);

  it("holds the company's next job in its line until its running one ends, across the fleet", async () => {
    const capped = (await createCompanyStore({ prisma }).createCompany("Capped")).id;
    cappedCompanies.add(capped);
    const first = await submitCapped(capped);
    const second = await submitCapped(capped);
    expect(await queued()).toEqual([first]);
    const handle = await start(first);
    await kiln.queues.queue(jobType).remove(first);
    await kiln.queues.dispatch(jobType);
    expect(await kiln.queues.stateOf(jobType, second)).toBe("lined");
    await kiln.engine.complete(handle, [{ name: "a", contentType: "text/plain", size: 1, sha256: "00" }]);
    await vi.waitFor(async () => expect(await queued()).toEqual([second]));
  });

  it("reconcile frees the slots of jobs that ended without releasing them", async () => {
    const capped = (await createCompanyStore({ prisma }).createCompany("Crashed")).id;
    cappedCompanies.add(capped);
    const jobId = await submitCapped(capped);
    await kiln.queues.queue(jobType).remove(jobId);
    // The attempt ended, but its worker died before releasing the slot.
    await prisma.contentJob.update({ where: { id: jobId }, data: { status: "done" } });
    const waiting = await submitCapped(capped);
    expect(await kiln.queues.stateOf(jobType, waiting)).toBe("lined");
    const report = await kiln.engine.reconcile({ olderThan: new Date(0), jobTypes: [jobType] });
    expect(report.released).toBe(1);
    await vi.waitFor(async () => expect(await queued()).toContain(waiting));
  });
});

describe("a company's active-jobs quota", () => {
  it("refuses a submit beyond it (nothing created), also when many race, and counts again once jobs end", async () => {
    const company = (await createCompanyStore({ prisma }).createCompany("Quota")).id;
    cappedCompanies.add(company);
    const submitOne = () =>
      kiln.engine.submit({ companyId: company, jobType: "quota", input: {}, priority: 0, maxAttempts: 1 });
    const results = await Promise.allSettled(Array.from({ length: 8 }, submitOne));
    expect(results.filter((result) => result.status === "fulfilled")).toHaveLength(3);
    for (const result of results.filter((r) => r.status === "rejected")) {
      expect((result as PromiseRejectedResult).reason).toMatchObject({ code: "quota_exceeded" });
    }
    expect(await prisma.contentJob.count({ where: { companyId: company } })).toBe(3);
    const first = (
      results.find((r) => r.status === "fulfilled") as PromiseFulfilledResult<{ job: { id: string } }>
    ).value.job.id;
    await kiln.engine.cancel(company, first);
    await expect(submitOne()).resolves.toMatchObject({ created: true });
  });

  it("an Idempotency-Key replay still returns its job at the quota", async () => {
    const company = (await createCompanyStore({ prisma }).createCompany("Replay")).id;
    cappedCompanies.add(company);
    const request = {
      companyId: company,
      jobType: "quota",
      input: {},
      priority: 0,
      maxAttempts: 1,
      idempotency: { key: "same", requestHash: "h", ttlMs: 60_000 },
    };
    const first = await kiln.engine.submit(request);
    for (let i = 0; i < 2; i++)
      await kiln.engine.submit({ ...request, idempotency: { ...request.idempotency, key: `k${i}` } });
    await expect(
      kiln.engine.submit({ ...request, idempotency: { ...request.idempotency, key: "new" } }),
    ).rejects.toMatchObject({
      code: "quota_exceeded",
    });
    await expect(kiln.engine.submit(request)).resolves.toMatchObject({
      created: false,
      job: { id: first.job.id },
    });
  });
});
