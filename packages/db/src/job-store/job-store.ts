import { randomUUID } from "node:crypto";
import {
  type Job,
  type JobError,
  type JobPage,
  type JobStatus,
  type JobSummary,
  type JobSummaryPage,
  KilnError,
} from "@kiln/core";
import { Prisma, type PrismaClient } from "../generated/prisma/client.ts";
import { decodeCursor, encodeCursor } from "./list-cursor.ts";
import { type StoredArtifact, toJob, toJobSummaryOfRow } from "./to-job.ts";

export interface NewJob {
  companyId: string;
  jobType: string;
  input: unknown;
  sourceTaskId?: string | null;
  priority: number;
  maxAttempts: number;
  /** With an `Idempotency-Key`: the same key and body return the same job. */
  idempotency?: { key: string; requestHash: string; ttlMs: number };
}

export interface ListJobsQuery {
  status?: JobStatus;
  jobType?: string;
  sourceTaskId?: string;
  limit: number;
  cursor?: string;
  /** `input`: whole Jobs. Default: summaries, read without the input column. */
  include?: "input";
}

/** What starting an attempt found. */
export type StartAttemptResult =
  | {
      kind: "started";
      job: Job;
      attempt: number;
      attemptLimit: number;
      /** Attempts of this job already handed back to its budget (see `failAttempt`'s `refund`). */
      interruptionRefunds: number;
      previousStatus: JobStatus;
    }
  | { kind: "terminal"; job: Job }
  | { kind: "exhausted"; job: Job }
  | { kind: "missing" };

export interface JobStoreOptions {
  prisma: PrismaClient;
}

const activeStatuses: JobStatus[] = ["queued", "running"];

/** The first `limit` rows of `limit + 1` read, and a cursor after them when there were more. */
const toPage = <Row extends { createdAt: Date; id: string }, Item>(
  rows: Row[],
  limit: number,
  toItem: (row: Row) => Item,
): { items: Item[]; nextCursor: string | null } => {
  const page = rows.slice(0, limit);
  const last = page.at(-1);
  return { items: page.map(toItem), nextCursor: rows.length > limit && last ? encodeCursor(last) : null };
};

const isUniqueViolation = (error: unknown): boolean =>
  error instanceof Prisma.PrismaClientKnownRequestError && error.code === "P2002";

/** Every read and write of content jobs. Worker writes are fenced by attempt number. */
export const createJobStore = ({ prisma }: JobStoreOptions) => {
  const findJob = async (jobId: string): Promise<Job | null> => {
    const row = await prisma.contentJob.findUnique({ where: { id: jobId } });
    return row ? toJob(row) : null;
  };

  const createWithIdempotency = async (
    data: Prisma.ContentJobUncheckedCreateInput,
    { key, requestHash, ttlMs }: NonNullable<NewJob["idempotency"]>,
  ): Promise<{ job: Job; created: boolean }> => {
    const companyId = data.companyId;
    // Two rounds: the second follows the deletion of an expired key.
    for (let round = 0; round < 3; round++) {
      try {
        const row = await prisma.$transaction(async (tx) => {
          const created = await tx.contentJob.create({ data });
          await tx.idempotencyKey.create({
            data: { companyId, key, requestHash, jobId: created.id, expiresAt: new Date(Date.now() + ttlMs) },
          });
          return created;
        });
        return { job: toJob(row), created: true };
      } catch (error) {
        if (!isUniqueViolation(error)) throw error;
      }
      const existing = await prisma.idempotencyKey.findUnique({
        where: { companyId_key: { companyId, key } },
        include: { job: true },
      });
      if (!existing) continue;
      if (existing.expiresAt.getTime() <= Date.now()) {
        await prisma.idempotencyKey.deleteMany({ where: { companyId, key, expiresAt: { lte: new Date() } } });
        continue;
      }
      if (existing.requestHash !== requestHash) {
        throw new KilnError("conflict", "this Idempotency-Key was used with a different request body");
      }
      return { job: toJob(existing.job), created: false };
    }
    throw new KilnError("conflict", "this Idempotency-Key is being used concurrently; retry the request");
  };

  return {
    findJob,

    async createJob(newJob: NewJob): Promise<{ job: Job; created: boolean }> {
      const data: Prisma.ContentJobUncheckedCreateInput = {
        id: randomUUID(),
        companyId: newJob.companyId,
        jobType: newJob.jobType,
        input: newJob.input as Prisma.InputJsonValue,
        sourceTaskId: newJob.sourceTaskId ?? null,
        priority: newJob.priority,
        maxAttempts: newJob.maxAttempts,
        attemptLimit: newJob.maxAttempts,
      };
      if (newJob.idempotency) return createWithIdempotency(data, newJob.idempotency);
      return { job: toJob(await prisma.contentJob.create({ data })), created: true };
    },

    async getJob(companyId: string, jobId: string): Promise<Job | null> {
      const row = await prisma.contentJob.findFirst({ where: { id: jobId, companyId } });
      return row ? toJob(row) : null;
    },

    /** The job without its input (snapshots, existence checks): the input column is not read. */
    async getJobSummary(companyId: string, jobId: string): Promise<JobSummary | null> {
      const row = await prisma.contentJob.findFirst({
        where: { id: jobId, companyId },
        omit: { input: true },
      });
      return row ? toJobSummaryOfRow(row) : null;
    },

    /** A page of summaries, or of whole Jobs with `include: "input"`. */
    async listJobs(companyId: string, query: ListJobsQuery): Promise<JobSummaryPage | JobPage> {
      const after = query.cursor ? decodeCursor(query.cursor) : null;
      const args = {
        where: {
          companyId,
          status: query.status,
          jobType: query.jobType,
          sourceTaskId: query.sourceTaskId,
          ...(after && {
            OR: [
              { createdAt: { lt: after.createdAt } },
              { createdAt: after.createdAt, id: { lt: after.id } },
            ],
          }),
        },
        orderBy: [{ createdAt: "desc" }, { id: "desc" }],
        take: query.limit + 1,
      } satisfies Prisma.ContentJobFindManyArgs;
      if (query.include === "input")
        return toPage(await prisma.contentJob.findMany(args), query.limit, toJob);
      const rows = await prisma.contentJob.findMany({ ...args, omit: { input: true } });
      return toPage(rows, query.limit, toJobSummaryOfRow);
    },

    /** Marks the row running and counts the attempt; a row already running means the last attempt was lost. */
    async startAttempt(jobId: string): Promise<StartAttemptResult> {
      const started = await prisma.$queryRaw<
        { attempt: number; attempt_limit: number; interruption_refunds: number; previous_status: JobStatus }[]
      >`
        WITH prev AS (SELECT id, status FROM content_jobs WHERE id = ${jobId}::uuid FOR UPDATE)
        UPDATE content_jobs AS j
           SET status = 'running', attempts = j.attempts + 1, started_at = COALESCE(j.started_at, now()),
               stage = 'starting', updated_at = now()
          FROM prev
         WHERE j.id = prev.id AND j.status IN ('queued', 'running') AND j.attempts < j.attempt_limit
        RETURNING j.attempts AS attempt, j.attempt_limit, j.interruption_refunds,
                  prev.status::text AS previous_status`;
      const job = await findJob(jobId);
      if (!job) return { kind: "missing" };
      const row = started[0];
      if (row) {
        return {
          kind: "started",
          job,
          attempt: row.attempt,
          attemptLimit: row.attempt_limit,
          interruptionRefunds: row.interruption_refunds,
          previousStatus: row.previous_status,
        };
      }
      if (!activeStatuses.includes(job.status)) return { kind: "terminal", job };
      const failed = await prisma.contentJob.updateManyAndReturn({
        where: { id: jobId, status: { in: activeStatuses }, attempts: job.attempts },
        data: {
          status: "failed",
          stage: "failed",
          finishedAt: new Date(),
          updatedAt: new Date(),
          error: { code: "attempts_exhausted", message: `gave up after ${job.attempts} attempts` },
        },
      });
      const failedRow = failed[0];
      return failedRow ? { kind: "exhausted", job: toJob(failedRow) } : { kind: "terminal", job };
    },

    /** Progress of the current attempt; never backwards. `false` when the attempt no longer owns the row. */
    async updateProgress(jobId: string, attempt: number, progress: number, stage: string): Promise<boolean> {
      const { count } = await prisma.contentJob.updateMany({
        where: { id: jobId, attempts: attempt, status: "running", progress: { lte: progress } },
        data: { progress, stage, updatedAt: new Date() },
      });
      return count === 1;
    },

    async completeAttempt(jobId: string, attempt: number, artifacts: StoredArtifact[]): Promise<Job | null> {
      const rows = await prisma.contentJob.updateManyAndReturn({
        where: { id: jobId, attempts: attempt, status: "running" },
        data: {
          status: "done",
          progress: 100,
          stage: "done",
          artifacts: artifacts as unknown as Prisma.InputJsonValue,
          error: Prisma.DbNull,
          finishedAt: new Date(),
          updatedAt: new Date(),
        },
      });
      return rows[0] ? toJob(rows[0]) : null;
    },

    /**
     * Records a failed attempt: `final` fails the job, otherwise it waits for its retry. `refund`
     * (the attempt was interrupted by the worker, not failed by the job: shutdown, lost lock) gives
     * the attempt back to the budget — it still counts in `attempts` and in `interruptionRefunds`,
     * which the caller caps.
     */
    async failAttempt(
      jobId: string,
      attempt: number,
      error: JobError,
      { final, refund = false }: { final: boolean; refund?: boolean },
    ): Promise<Job | null> {
      const now = new Date();
      const rows = await prisma.contentJob.updateManyAndReturn({
        where: { id: jobId, attempts: attempt, status: "running" },
        data: final
          ? { status: "failed", stage: "failed", error, finishedAt: now, updatedAt: now }
          : {
              status: "queued",
              stage: "retrying",
              error,
              updatedAt: now,
              ...(refund && { attemptLimit: { increment: 1 }, interruptionRefunds: { increment: 1 } }),
            },
      });
      return rows[0] ? toJob(rows[0]) : null;
    },

    /** Cancels a queued or running job. `null`: no such job; `conflict`: already terminal. */
    async cancelJob(companyId: string, jobId: string): Promise<Job | "conflict" | null> {
      const now = new Date();
      const rows = await prisma.contentJob.updateManyAndReturn({
        where: { id: jobId, companyId, status: { in: activeStatuses } },
        data: { status: "cancelled", stage: "cancelled", finishedAt: now, updatedAt: now },
      });
      if (rows[0]) return toJob(rows[0]);
      const existing = await prisma.contentJob.findFirst({
        where: { id: jobId, companyId },
        select: { id: true },
      });
      return existing ? "conflict" : null;
    },

    /** Queues a failed or cancelled job again with a fresh attempt budget. */
    async retryJob(companyId: string, jobId: string): Promise<Job | "conflict" | null> {
      const updated = await prisma.$executeRaw`
        UPDATE content_jobs
           SET status = 'queued', progress = 0, stage = 'queued', error = NULL, artifacts = '[]'::jsonb,
               finished_at = NULL, attempt_limit = attempts + max_attempts, updated_at = now()
         WHERE id = ${jobId}::uuid AND company_id = ${companyId}::uuid AND status IN ('failed', 'cancelled')`;
      const job = await prisma.contentJob.findFirst({ where: { id: jobId, companyId } });
      if (!job) return null;
      return updated === 1 ? toJob(job) : "conflict";
    },

    /** The company's queued and running jobs, oldest first, as summaries (a stream's resync snapshot). */
    async listActiveJobs(companyId: string, limit: number): Promise<JobSummary[]> {
      const rows = await prisma.contentJob.findMany({
        omit: { input: true },
        where: { companyId, status: { in: activeStatuses } },
        orderBy: [{ createdAt: "asc" }, { id: "asc" }],
        take: limit,
      });
      return rows.map(toJobSummaryOfRow);
    },

    /**
     * Non-terminal rows untouched since `olderThan`: candidates whose queue entry may be gone.
     * Paged by (updatedAt, id) so a pass can walk all of them, however many wait.
     */
    async findStaleActiveJobs(olderThan: Date, limit: number, after?: { updatedAt: Date; id: string }) {
      return prisma.contentJob.findMany({
        where: {
          status: { in: activeStatuses },
          updatedAt: { lt: olderThan },
          ...(after && {
            OR: [
              { updatedAt: { gt: after.updatedAt } },
              { updatedAt: after.updatedAt, id: { gt: after.id } },
            ],
          }),
        },
        select: {
          id: true,
          companyId: true,
          jobType: true,
          priority: true,
          maxAttempts: true,
          status: true,
          updatedAt: true,
        },
        orderBy: [{ updatedAt: "asc" }, { id: "asc" }],
        take: limit,
      });
    },

    /** How many jobs are in each status, across every company (metrics); absent statuses count 0. */
    async countByStatus(): Promise<Record<JobStatus, number>> {
      const groups = await prisma.contentJob.groupBy({ by: ["status"], _count: { _all: true } });
      const counts: Record<JobStatus, number> = { queued: 0, running: 0, done: 0, failed: 0, cancelled: 0 };
      for (const group of groups) counts[group.status] = group._count._all;
      return counts;
    },

    /** Forgets `Idempotency-Key`s past their 24 h; returns how many. Bounded per call. */
    async deleteExpiredIdempotencyKeys(limit = 10_000): Promise<number> {
      return prisma.$executeRaw`
        DELETE FROM idempotency_keys
         WHERE ctid IN (SELECT ctid FROM idempotency_keys WHERE expires_at <= now() LIMIT ${limit})`;
    },
  };
};

export type JobStore = ReturnType<typeof createJobStore>;
