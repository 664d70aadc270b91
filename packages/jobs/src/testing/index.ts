import { silentLogger } from "@kiln/core";
import { createJobStore, type PrismaClient } from "@kiln/db";
import {
  createControlPublisher,
  createEventLog,
  createJobQueues,
  type JobQueues,
  type RedisClient,
} from "@kiln/queue";
import { type CompanyLimitsSource, createJobEngine } from "../engine/create-job-engine.ts";
import type { JobEngine } from "../engine/job-engine.ts";
import { createJobRows, type NewJobRow } from "../store/job-rows.ts";

export interface EngineForTest {
  engine: JobEngine;
  queues: JobQueues;
  /** A row committed without enqueueing (as a submit whose enqueue failed leaves it). */
  createRow(row: Omit<NewJobRow, "jobType" | "input" | "priority"> & Partial<NewJobRow>): Promise<string>;
  close(): Promise<void>;
}

/** The lifecycle engine over a test's own database and Redis key prefix, as the API and workers build it. */
export const createEngineForTest = ({
  prisma,
  redis,
  prefix,
  retryBackoffMs = 10,
  artifacts = { deleteJob: async () => {} },
  limits,
}: {
  prisma: PrismaClient;
  redis: RedisClient;
  prefix: string;
  retryBackoffMs?: number;
  artifacts?: { deleteJob(companyId: string, jobId: string): Promise<void> };
  limits?: CompanyLimitsSource;
}): EngineForTest => {
  const rows = createJobRows({ prisma });
  const queues = createJobQueues({ connection: redis, prefix });
  const engine = createJobEngine({
    rows,
    reads: createJobStore({ prisma }),
    queues,
    events: createEventLog({ redis, prefix }),
    control: createControlPublisher({ redis, prefix }),
    artifacts,
    logger: silentLogger,
    retryBackoffMs,
    limits,
  });
  return {
    engine,
    queues,
    async createRow(row) {
      const { job } = await rows.create({
        jobType: "canary",
        input: { durationMs: 0, steps: 1 },
        priority: 0,
        ...row,
      });
      return job.id;
    },
    close: () => queues.close(),
  };
};
