import type { Logger } from "@kiln/core";
import type { JobStore } from "@kiln/db";
import type { JobQueues } from "@kiln/queue";

export interface ReconcilerOptions {
  jobs: JobStore;
  queues: JobQueues;
  /** Taken before each pass, so one process across the fleet reconciles at a time. */
  lease: { acquire(): Promise<boolean>; release(): Promise<void> };
  logger: Logger;
  /** Time between passes. */
  intervalMs: number;
  /** Rows younger than this are left alone: their submit may still be enqueueing them. */
  graceMs: number;
  /** Rows checked per pass. Default 500. */
  batchSize?: number;
}

export interface ReconcileReport {
  checked: number;
  enqueued: number;
}

/**
 * PostgreSQL is the truth, Redis the transport: a queued or running row whose queue entry is
 * missing (enqueue failed after commit, Redis lost its data) or already finished in BullMQ is
 * enqueued again. The BullMQ id is the job id, so this never creates a second live entry.
 */
export const createReconciler = ({
  jobs,
  queues,
  lease,
  logger,
  intervalMs,
  graceMs,
  batchSize = 500,
}: ReconcilerOptions) => {
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<unknown> = Promise.resolve();

  const reconcileOnce = async (): Promise<ReconcileReport> => {
    if (!(await lease.acquire())) return { checked: 0, enqueued: 0 };
    const olderThan = new Date(Date.now() - graceMs);
    let checked = 0;
    let enqueued = 0;
    let after: { updatedAt: Date; id: string } | undefined;
    for (;;) {
      const page = await jobs.findStaleActiveJobs(olderThan, batchSize, after);
      for (const job of page) {
        checked += 1;
        const state = await queues.stateOf(job.jobType, job.id);
        if (state !== "missing" && state !== "completed" && state !== "failed") continue;
        if (state !== "missing") await queues.remove(job.jobType, job.id);
        await queues.enqueue(job);
        enqueued += 1;
        logger.info(
          { jobId: job.id, jobType: job.jobType, queueState: state },
          "reconciler enqueued a job again",
        );
      }
      const last = page.at(-1);
      if (!last || page.length < batchSize) break;
      after = { updatedAt: last.updatedAt, id: last.id };
    }
    // Housekeeping rides on the same lease: expired idempotency keys would otherwise only go on reuse.
    const forgotten = await jobs.deleteExpiredIdempotencyKeys();
    if (forgotten > 0) logger.info({ count: forgotten }, "forgot expired idempotency keys");
    return { checked, enqueued };
  };

  const tick = () => {
    running = reconcileOnce()
      .catch((error: unknown) => logger.warn({ err: error }, "reconcile pass failed; will try again"))
      .finally(() => {
        if (timer) timer = setTimeout(tick, intervalMs);
      });
  };

  return {
    reconcileOnce,
    start() {
      timer = setTimeout(tick, 0);
    },
    async close() {
      clearTimeout(timer);
      timer = undefined;
      await running;
      await lease.release();
    },
  };
};
