import type { Logger } from "@kiln/core";
import type { JobEngine } from "@kiln/jobs";
import type { QueuedJobData } from "@kiln/queue";
import type { Job as BullJob, Worker } from "bullmq";
import type { AttemptResult } from "./process-job.ts";

export interface RequeueReleasedOptions {
  engine: Pick<JobEngine, "requeueIfQueued">;
  logger: Logger;
}

/**
 * A manual retry that arrives while a worker still holds the old attempt's queue entry (the job
 * was just cancelled or failed, and the worker has not let go yet — or is paused) can neither
 * remove that entry (BullMQ refuses to remove a locked job) nor add a new one (the BullMQ id is the
 * Kiln id, so the add is a no-op). The worker holding the entry makes up for it: once BullMQ has
 * let go of it — completed (and so removed), or failed for good — a row found `queued` again is
 * enqueued at once rather than at the reconciler's next pass.
 *
 * The old attempt has ended by then and its entry is gone or finished, so this never runs a job
 * twice at once; an entry added meanwhile (the API's own enqueue, the reconciler's) is left alone.
 */
export const createReleasedJobRequeuer = ({ engine, logger }: RequeueReleasedOptions) => {
  const pending = new Set<Promise<void>>();

  const afterRelease = (bullJob: BullJob<QueuedJobData>) => {
    const jobId = bullJob.id;
    if (!jobId) return;
    const requeue: Promise<void> = engine
      .requeueIfQueued(bullJob.data.companyId, jobId)
      .then(() => {})
      .catch((error: unknown) =>
        logger.warn({ err: error, jobId }, "could not check a released job for a retry; the reconciler will"),
      )
      .finally(() => pending.delete(requeue));
    pending.add(requeue);
  };

  return {
    /** Checks each job the worker lets go of without having finished it: released, or failed for good. */
    watch(worker: Worker<QueuedJobData, AttemptResult>) {
      worker.on("completed", (bullJob, result) => {
        if (result !== "done") afterRelease(bullJob);
      });
      // `finishedOn` is set only when the failure is final; otherwise BullMQ still holds a retry.
      worker.on("failed", (bullJob) => {
        if (bullJob?.finishedOn) afterRelease(bullJob);
      });
    },
    /** Waits for the checks in flight (call after the watched workers closed, before the queues). */
    async close() {
      await Promise.allSettled([...pending]);
    },
  };
};
