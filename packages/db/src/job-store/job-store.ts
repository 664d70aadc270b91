import type { Job, JobPage, JobStatus, JobSummary, JobSummaryPage } from "@kiln/core";
import type { Prisma, PrismaClient } from "../generated/prisma/client.ts";
import { decodeCursor, encodeCursor } from "./list-cursor.ts";
import { toJob, toJobSummaryOfRow } from "./to-job.ts";

export interface ListJobsQuery {
  status?: JobStatus;
  jobType?: string;
  sourceTaskId?: string;
  limit: number;
  cursor?: string;
  /** `input`: whole Jobs. Default: summaries, read without the input column. */
  include?: "input";
}

/** What the reconciler needs of an active row to enqueue it again. */
export interface StaleActiveJob {
  id: string;
  companyId: string;
  jobType: string;
  priority: number;
  maxAttempts: number;
  status: JobStatus;
  updatedAt: Date;
}

/**
 * Every read of content jobs. Their writes belong to the lifecycle engine (@kiln/jobs), the only
 * writer of a job's status and attempts.
 */
export interface JobStore {
  findJob(jobId: string): Promise<Job | null>;
  getJob(companyId: string, jobId: string): Promise<Job | null>;
  /** The job without its input (snapshots, existence checks): the input column is not read. */
  getJobSummary(companyId: string, jobId: string): Promise<JobSummary | null>;
  /** A page of summaries, or of whole Jobs with `include: "input"`. */
  listJobs(companyId: string, query: ListJobsQuery): Promise<JobSummaryPage | JobPage>;
  /** The company's queued and running jobs, oldest first, as summaries (a stream's resync snapshot). */
  listActiveJobs(companyId: string, limit: number): Promise<JobSummary[]>;
  /**
   * Non-terminal rows untouched since `olderThan`: candidates whose queue entry may be gone.
   * Paged by (updatedAt, id) so a pass can walk all of them, however many wait.
   */
  findStaleActiveJobs(
    olderThan: Date,
    limit: number,
    after?: { updatedAt: Date; id: string },
  ): Promise<StaleActiveJob[]>;
  /** Which of these jobs are still queued or running. */
  activeJobIds(ids: string[]): Promise<Set<string>>;
  /** How many jobs are in each status, across every company (metrics); absent statuses count 0. */
  countByStatus(): Promise<Record<JobStatus, number>>;
  /** Forgets `Idempotency-Key`s past their 24 h; returns how many. Bounded per call. */
  deleteExpiredIdempotencyKeys(limit?: number): Promise<number>;
}

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

export const createJobStore = ({ prisma }: JobStoreOptions): JobStore => {
  const findJob = async (jobId: string): Promise<Job | null> => {
    const row = await prisma.contentJob.findUnique({ where: { id: jobId } });
    return row ? toJob(row) : null;
  };

  return {
    findJob,

    async getJob(companyId: string, jobId: string): Promise<Job | null> {
      const row = await prisma.contentJob.findFirst({ where: { id: jobId, companyId } });
      return row ? toJob(row) : null;
    },

    async getJobSummary(companyId: string, jobId: string): Promise<JobSummary | null> {
      const row = await prisma.contentJob.findFirst({
        where: { id: jobId, companyId },
        omit: { input: true },
      });
      return row ? toJobSummaryOfRow(row) : null;
    },

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

    async listActiveJobs(companyId: string, limit: number): Promise<JobSummary[]> {
      const rows = await prisma.contentJob.findMany({
        omit: { input: true },
        where: { companyId, status: { in: activeStatuses } },
        orderBy: [{ createdAt: "asc" }, { id: "asc" }],
        take: limit,
      });
      return rows.map(toJobSummaryOfRow);
    },

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

    async activeJobIds(ids) {
      if (ids.length === 0) return new Set();
      const rows = await prisma.contentJob.findMany({
        where: { id: { in: ids }, status: { in: activeStatuses } },
        select: { id: true },
      });
      return new Set(rows.map((row) => row.id));
    },

    async countByStatus(): Promise<Record<JobStatus, number>> {
      const groups = await prisma.contentJob.groupBy({ by: ["status"], _count: { _all: true } });
      const counts: Record<JobStatus, number> = { queued: 0, running: 0, done: 0, failed: 0, cancelled: 0 };
      for (const group of groups) counts[group.status] = group._count._all;
      return counts;
    },

    async deleteExpiredIdempotencyKeys(limit = 10_000): Promise<number> {
      return prisma.$executeRaw`
        DELETE FROM idempotency_keys
         WHERE ctid IN (SELECT ctid FROM idempotency_keys WHERE expires_at <= now() LIMIT ${limit})`;
    },
  };
};
