import { randomUUID } from "node:crypto";
import type { Job, JobError, JobStatus } from "@kiln/core";
import { type ContentJob, type PrismaClient, type StoredArtifact, toJob } from "@kiln/db";
import { fromStatuses, targetStatus } from "../lifecycle/transitions.ts";
import { createRowBatcher } from "./create-batches.ts";
import { jobColumns } from "./job-columns.ts";

export interface NewJobRow {
  companyId: string;
  jobType: string;
  /** Already validated by the job type's schema. */
  input: unknown;
  sourceTaskId?: string | null;
  priority: number;
  maxAttempts: number;
  /** With an `Idempotency-Key`: the same key and body return the same job. */
  idempotency?: { key: string; requestHash: string; ttlMs: number };
}

/** What starting an attempt found. */
export type StartedRow =
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

/**
 * The lifecycle's row writes, each matching the statuses its transition allows (see
 * `transitions`) and, for a worker's writes, fenced by the attempt number. Only the engine uses it.
 */
export interface CreateOptions {
  /**
   * Refuse (`quota_exceeded`) when the company already has this many queued or running jobs. Checked
   * under a per-company lock in the row's own transaction, so concurrent submits cannot overshoot.
   */
  maxActiveJobs?: number;
}

export interface JobRows {
  /** An `Idempotency-Key` replay returns the existing job (`created: false`), whatever the quota. */
  create(row: NewJobRow, options?: CreateOptions): Promise<{ job: Job; created: boolean }>;
  /** Marks the row running and counts the attempt; a row already running means the last attempt was lost. */
  startAttempt(jobId: string): Promise<StartedRow>;
  /** Progress of the current attempt; never backwards. `false` when the attempt no longer owns the row. */
  updateProgress(jobId: string, attempt: number, progress: number, stage: string): Promise<boolean>;
  completeAttempt(jobId: string, attempt: number, artifacts: StoredArtifact[]): Promise<Job | null>;
  /**
   * Records a failed attempt: `final` fails the job, otherwise it waits for its retry. `refund`
   * gives the attempt back to the budget — it still counts in `attempts` and in
   * `interruptionRefunds`, which the engine caps.
   */
  failAttempt(
    jobId: string,
    attempt: number,
    error: JobError,
    options: { final: boolean; refund?: boolean },
  ): Promise<Job | null>;
  /** `null`: no such job; `conflict`: not in a status it can leave this way. */
  cancel(companyId: string, jobId: string): Promise<Job | "conflict" | null>;
  /** Queues the job again with a fresh budget of `maxAttempts`. */
  retry(companyId: string, jobId: string): Promise<Job | "conflict" | null>;
}

export const createJobRows = ({ prisma }: { prisma: PrismaClient }): JobRows => {
  const findJob = async (jobId: string): Promise<Job | null> => {
    const row = await prisma.contentJob.findUnique({ where: { id: jobId } });
    return row ? toJob(row) : null;
  };

  const batches = createRowBatcher({ prisma });

  /** `conflict` when the job exists (in another status), `null` when it does not. */
  const conflictOrMissing = async (companyId: string, jobId: string) => {
    const existing = await prisma.contentJob.findFirst({
      where: { id: jobId, companyId },
      select: { id: true },
    });
    return existing ? ("conflict" as const) : null;
  };

  const startable = [...new Set([...fromStatuses("startAttempt"), ...fromStatuses("restartLostAttempt")])];

  return {
    create(newJob, { maxActiveJobs } = {}) {
      return batches.create({ id: randomUUID(), row: newJob, maxActiveJobs });
    },

    async startAttempt(jobId) {
      // The row as it is after the update comes back with it: one round trip for a started attempt.
      const [started] = await prisma.$queryRaw<(ContentJob & { previousStatus: JobStatus })[]>`
        WITH prev AS (SELECT id AS prev_id, status AS prev_status FROM content_jobs WHERE id = ${jobId}::uuid FOR UPDATE)
        UPDATE content_jobs
           SET status = 'running', attempts = attempts + 1, started_at = COALESCE(started_at, now()),
               stage = 'starting', updated_at = now()
          FROM prev
         WHERE id = prev_id AND status::text = ANY(${startable}::text[]) AND attempts < attempt_limit
        RETURNING ${jobColumns}, prev_status::text AS "previousStatus"`;
      if (started) {
        return {
          kind: "started",
          job: toJob(started),
          attempt: started.attempts,
          attemptLimit: started.attemptLimit,
          interruptionRefunds: started.interruptionRefunds,
          previousStatus: started.previousStatus,
        };
      }
      const job = await findJob(jobId);
      if (!job) return { kind: "missing" };
      if (!fromStatuses("exhaust").includes(job.status)) return { kind: "terminal", job };
      const now = new Date();
      const failed = await prisma.contentJob.updateManyAndReturn({
        where: { id: jobId, status: { in: fromStatuses("exhaust") }, attempts: job.attempts },
        data: {
          status: targetStatus("exhaust"),
          stage: "failed",
          finishedAt: now,
          updatedAt: now,
          error: { code: "attempts_exhausted", message: `gave up after ${job.attempts} attempts` },
        },
      });
      const failedRow = failed[0];
      return failedRow ? { kind: "exhausted", job: toJob(failedRow) } : { kind: "terminal", job };
    },

    // Every attempt's hot path (progress, done) is one raw statement: Prisma's query building
    // costs the worker more CPU than the statement costs PostgreSQL.
    async updateProgress(jobId, attempt, progress, stage) {
      const count = await prisma.$executeRaw`
        UPDATE content_jobs SET progress = ${progress}, stage = ${stage}, updated_at = now()
         WHERE id = ${jobId}::uuid AND attempts = ${attempt} AND progress <= ${progress}
           AND status::text = ANY(${fromStatuses("reportProgress")}::text[])`;
      return count === 1;
    },

    async completeAttempt(jobId, attempt, artifacts) {
      const [row] = await prisma.$queryRaw<ContentJob[]>`
        UPDATE content_jobs
           SET status = ${targetStatus("complete")}::job_status, progress = 100, stage = 'done',
               artifacts = ${JSON.stringify(artifacts)}::jsonb, error = NULL, finished_at = now(), updated_at = now()
         WHERE id = ${jobId}::uuid AND attempts = ${attempt}
           AND status::text = ANY(${fromStatuses("complete")}::text[])
        RETURNING ${jobColumns}`;
      return row ? toJob(row) : null;
    },

    async failAttempt(jobId, attempt, error, { final, refund = false }) {
      const now = new Date();
      const on = final ? "failFinally" : refund ? "handBack" : "failAndRetry";
      const rows = await prisma.contentJob.updateManyAndReturn({
        where: { id: jobId, attempts: attempt, status: { in: fromStatuses(on) } },
        data: final
          ? { status: targetStatus(on), stage: "failed", error, finishedAt: now, updatedAt: now }
          : {
              status: targetStatus(on),
              stage: "retrying",
              error,
              updatedAt: now,
              ...(refund && { attemptLimit: { increment: 1 }, interruptionRefunds: { increment: 1 } }),
            },
      });
      return rows[0] ? toJob(rows[0]) : null;
    },

    async cancel(companyId, jobId) {
      const now = new Date();
      const rows = await prisma.contentJob.updateManyAndReturn({
        where: { id: jobId, companyId, status: { in: fromStatuses("cancel") } },
        data: { status: targetStatus("cancel"), stage: "cancelled", finishedAt: now, updatedAt: now },
      });
      return rows[0] ? toJob(rows[0]) : conflictOrMissing(companyId, jobId);
    },

    async retry(companyId, jobId) {
      const rows = await prisma.$queryRaw<{ id: string }[]>`
        UPDATE content_jobs
           SET status = ${targetStatus("retry")}::job_status, progress = 0, stage = 'queued', error = NULL,
               artifacts = '[]'::jsonb, finished_at = NULL, attempt_limit = attempts + max_attempts,
               updated_at = now()
         WHERE id = ${jobId}::uuid AND company_id = ${companyId}::uuid
           AND status::text = ANY(${fromStatuses("retry")}::text[])
        RETURNING id`;
      if (rows.length === 0) return conflictOrMissing(companyId, jobId);
      const job = await findJob(jobId);
      return job ?? conflictOrMissing(companyId, jobId);
    },
  };
};
