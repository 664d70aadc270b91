import type { Logger } from "@kiln/core";
import type { JobStore } from "@kiln/db";
import type { JobEngine, ReconcileReport } from "@kiln/jobs";

export interface ReconcilerOptions {
  engine: Pick<JobEngine, "reconcile">;
  /** Housekeeping that rides on the same lease. */
  jobs: Pick<JobStore, "deleteExpiredIdempotencyKeys">;
  /** Taken before each pass, so one process across the fleet reconciles at a time. */
  lease: { acquire(): Promise<boolean>; release(): Promise<void> };
  logger: Logger;
  /** Time between passes. */
  intervalMs: number;
  /** Rows younger than this are left alone: their submit may still be enqueueing them. */
  graceMs: number;
  /** Rows checked per pass. Default 500. */
  batchSize?: number;
  /** Job types whose running-cap slots each pass checks for jobs that ended unseen. */
  jobTypes?: string[];
}

/**
 * Runs the engine's reconcile pass on a timer, in one process of the fleet at a time: PostgreSQL
 * is the truth, Redis the transport, so a queued or running row whose queue entry is missing
 * (enqueue failed after commit, Redis lost its data) or already finished is enqueued again.
 */
export const createReconciler = ({
  engine,
  jobs,
  lease,
  logger,
  intervalMs,
  graceMs,
  batchSize = 500,
  jobTypes = [],
}: ReconcilerOptions) => {
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<unknown> = Promise.resolve();

  const reconcileOnce = async (): Promise<ReconcileReport> => {
    if (!(await lease.acquire())) return { checked: 0, enqueued: 0 };
    const report = await engine.reconcile({
      olderThan: new Date(Date.now() - graceMs),
      batchSize,
      jobTypes,
    });
    // Housekeeping rides on the same lease: expired idempotency keys would otherwise only go on reuse.
    const forgotten = await jobs.deleteExpiredIdempotencyKeys();
    if (forgotten > 0) logger.info({ count: forgotten }, "forgot expired idempotency keys");
    return report;
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
