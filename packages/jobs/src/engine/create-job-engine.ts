import { type Job, type Logger, type NewJobEvent, toJobSummary } from "@kiln/core";
import type { JobStore } from "@kiln/db";
import type { ControlPublisher, EventLog, JobQueues } from "@kiln/queue";
import {
  attemptOfBudget,
  maxInterruptionRefunds,
  queueAttemptsFor,
  retryDelayMs,
} from "../lifecycle/attempt-budget.ts";
import type { JobRows } from "../store/job-rows.ts";
import type { AttemptEnd, AttemptHandle, JobEngine } from "./job-engine.ts";
import { throwUnlessJob } from "./throw-unless-job.ts";

export interface JobEngineDeps {
  rows: JobRows;
  reads: Pick<JobStore, "getJobSummary" | "findStaleActiveJobs" | "activeJobIds">;
  queues: Pick<JobQueues, "enqueue" | "remove" | "stateOf" | "dispatch" | "release" | "lines">;
  events: Pick<EventLog, "append">;
  /** Reaches every worker (a cancel aborts the running attempt wherever it runs). */
  control: ControlPublisher;
  /** A manual retry starts without the last attempt's files. */
  artifacts: { deleteJob(companyId: string, jobId: string): Promise<void> };
  logger: Logger;
  /** Base of the exponential retry backoff. */
  retryBackoffMs: number;
  /** A company's limits the lifecycle enforces (fleet-wide running cap per job type). Default: none. */
  limits?: CompanyLimitsSource;
}

/** What the engine needs of a company's limits. */
export interface CompanyLimitsSource {
  /** The company's fleet-wide cap of running jobs of this type; `null` for none. */
  runningCap(companyId: string, jobType: string): Promise<number | null>;
  /** How many of the company's jobs may be queued or running at once; `null` for no limit. */
  maxActiveJobs(companyId: string): Promise<number | null>;
}

/** What a queue entry needs of a row. */
type Enqueueable = Pick<Job, "id" | "companyId" | "jobType" | "priority" | "maxAttempts">;

const finishedQueueStates = new Set(["missing", "completed", "failed"]);

export const createJobEngine = (deps: JobEngineDeps): JobEngine => {
  const { rows, reads, queues, events, logger } = deps;

  /** Events are best effort: the row is already committed and is the truth (streams resync from it). */
  const publish = async (event: NewJobEvent) => {
    try {
      await events.append(event);
    } catch (error) {
      logger.warn({ err: error, jobId: event.data.jobId, type: event.type }, "event not published");
    }
  };

  const enqueue = async (job: Enqueueable) => {
    // Without a limits source (workers) the cap the API last recorded stays as it is.
    const maxRunning = deps.limits ? await deps.limits.runningCap(job.companyId, job.jobType) : undefined;
    await queues.enqueue({
      id: job.id,
      companyId: job.companyId,
      jobType: job.jobType,
      priority: job.priority,
      attempts: queueAttemptsFor(job.maxAttempts),
      maxRunning,
    });
  };

  /**
   * Moves the jobs whose turn it is into the queue: after an attempt took a job off the queue (a
   * slot's next job is due) or a job stopped counting against its company's running cap. Best
   * effort, off the attempt's path: the workers also dispatch on a timer.
   */
  const dispatchSoon = (jobType: string) => {
    queues.dispatch(jobType).catch((error: unknown) => {
      logger.debug({ err: error, jobType }, "dispatch failed; the next one will catch up");
    });
  };

  /** The job no longer runs (finished, cancelled, gone): its slot under the company's cap is free. */
  const release = async (job: { id: string; companyId: string; jobType: string }) => {
    try {
      await queues.release(job.jobType, job.companyId, job.id);
      dispatchSoon(job.jobType);
    } catch (error) {
      logger.warn(
        { err: error, jobId: job.id },
        "could not release the job's running slot; the reconciler will",
      );
    }
  };

  /** Enqueues unless the queue is down: then the reconciler will (the row is the truth). */
  const enqueueOrLeaveToReconciler = async (job: Enqueueable, replaceFinished: boolean) => {
    try {
      // While a worker still holds the last attempt's entry both calls are no-ops: that worker
      // enqueues the job once it lets go (`requeueIfQueued`), and the reconciler remains the fallback.
      if (replaceFinished) await queues.remove(job.jobType, job.id);
      await enqueue(job);
    } catch (error) {
      logger.warn({ err: error, jobId: job.id }, "enqueue failed; the reconciler will enqueue the job");
    }
  };

  /** Enqueues an active row again when its queue entry is gone or finished (never a second live one). */
  const enqueueIfEntryFinished = async (job: Enqueueable): Promise<string | null> => {
    const state = await queues.stateOf(job.jobType, job.id);
    if (!finishedQueueStates.has(state)) return null;
    if (state !== "missing") await queues.remove(job.jobType, job.id);
    await enqueue(job);
    return state;
  };

  const endAttempt = async (
    handle: AttemptHandle,
    error: { code: string; message: string },
    { final, refund }: { final: boolean; refund: boolean },
  ): Promise<AttemptEnd> => {
    const { jobId, companyId, attempt } = handle;
    const failed = await rows.failAttempt(jobId, attempt, error, { final, refund });
    if (!failed) return { kind: "released" };
    if (final) {
      await release(failed);
      await publish({ type: "content_job.failed", data: { jobId, companyId, job: toJobSummary(failed) } });
      return { kind: "failed" };
    }
    const delayMs = retryDelayMs(deps.retryBackoffMs, attemptOfBudget(handle));
    await publish({
      type: "content_job.retrying",
      data: { jobId, companyId, attempt: attempt + 1, error, delayMs },
    });
    return { kind: "retrying", delayMs };
  };

  /** Frees the running-cap slots of jobs that ended without releasing them (a crash in between). */
  const releaseEnded = async (jobType: string): Promise<number> => {
    let released = 0;
    for (const [companyId, ids] of await queues.lines.inflight(jobType)) {
      const active = await reads.activeJobIds(ids);
      for (const id of ids.filter((candidate) => !active.has(candidate))) {
        await queues.release(jobType, companyId, id);
        released += 1;
      }
    }
    if (released > 0) {
      logger.info({ jobType, released }, "freed the running-cap slots of jobs that had ended");
      dispatchSoon(jobType);
    }
    return released;
  };

  return {
    async submit(request) {
      const maxActiveJobs = (await deps.limits?.maxActiveJobs(request.companyId)) ?? undefined;
      const { job, created } = await rows.create(request, { maxActiveJobs });
      if (!created) return { job, created };
      // Both at once (one round trip to Redis): the event is sent first, so it is stored before the
      // job can reach a worker and be started.
      await Promise.all([
        publish({
          type: "content_job.created",
          data: { jobId: job.id, companyId: job.companyId, job: toJobSummary(job) },
        }),
        enqueueOrLeaveToReconciler(job, false),
      ]);
      return { job, created };
    },

    async cancel(companyId, jobId) {
      const job = throwUnlessJob(await rows.cancel(companyId, jobId), "The job has already finished");
      await Promise.allSettled([
        queues.remove(job.jobType, job.id),
        deps.control.publish({ type: "cancel", jobId: job.id, jobType: job.jobType }),
        release(job),
      ]);
      await publish({ type: "content_job.cancelled", data: { jobId, companyId, job: toJobSummary(job) } });
      return job;
    },

    async retry(companyId, jobId) {
      const job = throwUnlessJob(
        await rows.retry(companyId, jobId),
        "Only failed or cancelled jobs can be retried",
      );
      await deps.artifacts.deleteJob(companyId, jobId).catch((error: unknown) => {
        logger.warn({ err: error, jobId }, "could not delete the last attempt's artifacts");
      });
      await enqueueOrLeaveToReconciler(job, true);
      await publish({ type: "content_job.status", data: { jobId, companyId, job: toJobSummary(job) } });
      return job;
    },

    async startAttempt(jobId) {
      const start = await rows.startAttempt(jobId);
      if (start.kind === "missing" || start.kind === "terminal")
        return { kind: "skipped", reason: start.kind };
      if (start.kind === "exhausted") {
        const { job } = start;
        await publish({
          type: "content_job.failed",
          data: { jobId, companyId: job.companyId, job: toJobSummary(job) },
        });
        return { kind: "skipped", reason: "exhausted" };
      }
      const { job, attempt, previousStatus } = start;
      const handle: AttemptHandle = {
        jobId,
        companyId: job.companyId,
        jobType: job.jobType,
        attempt,
        attemptLimit: start.attemptLimit,
        interruptionRefunds: start.interruptionRefunds,
        maxAttempts: job.maxAttempts,
      };
      if (previousStatus === "running") {
        // The row says an attempt was running, yet the queue handed the job out again: that worker was lost.
        const error = { code: "worker_lost", message: "the previous attempt stopped without finishing" };
        await publish({
          type: "content_job.retrying",
          data: { jobId, companyId: job.companyId, attempt, error },
        });
      }
      const started = publish({
        type: "content_job.started",
        data: { jobId, companyId: job.companyId, attempt, job: toJobSummary(job) },
      });
      // The attempt took a job off the queue: the next one's turn may have come (the queue holds
      // about one ready job per two slots, so a slot that frees up finds its next job waiting).
      // Sent after the event, which the attempt waits for.
      dispatchSoon(job.jobType);
      await started;
      return { kind: "started", handle, job };
    },

    async reportProgress({ jobId, companyId, attempt }, progress, stage, message) {
      if (!(await rows.updateProgress(jobId, attempt, progress, stage))) return false;
      await publish({
        type: "content_job.progress",
        data: { jobId, companyId, progress, stage, ...(message !== undefined && { message }) },
      });
      return true;
    },

    async complete(handle, artifacts) {
      const { jobId, companyId, attempt } = handle;
      const done = await rows.completeAttempt(jobId, attempt, artifacts);
      if (!done) return null;
      // One round trip to Redis for both.
      await Promise.all([
        release(done),
        publish({ type: "content_job.done", data: { jobId, companyId, job: toJobSummary(done) } }),
      ]);
      return done;
    },

    async fail(handle, error, { permanent }) {
      const final = permanent || handle.attempt >= handle.attemptLimit;
      return endAttempt(handle, error, { final, refund: false });
    },

    async handBack(handle, reason, { counts = false } = {}) {
      const refund = !counts && handle.interruptionRefunds < maxInterruptionRefunds;
      const final = !refund && handle.attempt >= handle.attemptLimit;
      const error = { code: "worker_interrupted", message: `the worker stopped the attempt (${reason})` };
      return endAttempt(handle, error, { final, refund });
    },

    async reconcile({ olderThan, batchSize = 500, jobTypes = [] }) {
      let checked = 0;
      let enqueued = 0;
      let after: { updatedAt: Date; id: string } | undefined;
      for (;;) {
        const page = await reads.findStaleActiveJobs(olderThan, batchSize, after);
        for (const job of page) {
          checked += 1;
          const queueState = await enqueueIfEntryFinished(job);
          if (queueState === null) continue;
          enqueued += 1;
          logger.info({ jobId: job.id, jobType: job.jobType, queueState }, "reconciler enqueued a job again");
        }
        const last = page.at(-1);
        if (!last || page.length < batchSize) break;
        after = { updatedAt: last.updatedAt, id: last.id };
      }
      let released = 0;
      for (const jobType of jobTypes) released += await releaseEnded(jobType);
      return { checked, enqueued, released };
    },

    async requeueIfQueued(companyId, jobId) {
      const job = await reads.getJobSummary(companyId, jobId);
      if (job?.status !== "queued") return false;
      const queueState = await enqueueIfEntryFinished(job);
      if (queueState === null) return false;
      logger.info(
        { jobId, jobType: job.jobType, queueState },
        "enqueued a queued job again once its last attempt let go",
      );
      return true;
    },
  };
};
