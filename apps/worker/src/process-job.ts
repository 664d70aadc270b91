import {
  type JobError,
  type Logger,
  type NewJobEvent,
  type RenderContext,
  RenderError,
  toJobSummary,
} from "@kiln/core";
import type { JobStore } from "@kiln/db";
import type { EventLog, QueuedJobData } from "@kiln/queue";
import type { ArtifactStore } from "@kiln/storage";
import { type Job as BullJob, UnrecoverableError } from "bullmq";
import type { JobObserver, JobOutcome } from "./metrics/job-metrics.ts";
import { createRenderContext } from "./render-context.ts";

export interface ProcessJobDeps {
  jobs: JobStore;
  events: EventLog;
  artifacts: ArtifactStore;
  /** Runs one attempt's render, isolated from this loop (see @kiln/renderers' render runner). */
  render(jobType: string, input: unknown, ctx: RenderContext): Promise<void>;
  logger: Logger;
  progressIntervalMs: number;
  retryBackoffMs: number;
  /** Told when each attempt starts and how it ends (metrics). Optional. */
  observer?: JobObserver;
}

/**
 * Why a running render was aborted: the job was cancelled, the worker is shutting down, or the
 * worker lost the job's lock — while its own loop was healthy (an outside interruption), or after
 * its loop stalled (the worker's fault, so it counts like any failed attempt).
 */
export const abortReasons = {
  cancelled: "cancelled",
  shutdown: "shutdown",
  lockLost: "lock_lost",
  lockLostStalled: "lock_lost_after_stall",
} as const;
const interruptions = new Set<unknown>([abortReasons.shutdown, abortReasons.lockLost]);

/**
 * How many interrupted attempts one job may have handed back to its budget. Past it an
 * interruption uses up an attempt like a failure, so no job can be interrupted into a loop.
 */
export const maxInterruptionRefunds = 3;

/**
 * How an attempt that returns (BullMQ: completed) ended: it finished the job, or it let go of a job
 * it does not own — missing, already terminal, cancelled or superseded meanwhile. After `released`,
 * the row may have been queued again while this attempt held the queue entry (see requeue-released).
 */
export type AttemptResult = "done" | "released";

const toJobError = (error: unknown): JobError => {
  if (error instanceof RenderError) return { code: error.code, message: error.message };
  if (error instanceof Error && error.name === "AbortError")
    return { code: "aborted", message: error.message };
  return { code: "render_failed", message: error instanceof Error ? error.message : String(error) };
};

const isPermanent = (error: unknown): boolean =>
  (error instanceof RenderError && !error.retryable) || error instanceof UnrecoverableError;

/**
 * Runs one attempt of a job. PostgreSQL decides: the attempt starts only on a queued/running row,
 * and every later write is fenced by the attempt number, so a worker that lost its lock (stalled,
 * cancelled, superseded) cannot overwrite the attempt that replaced it.
 */
export const createJobProcessor = (deps: ProcessJobDeps) => {
  const { jobs, events, logger } = deps;
  const publish = async (event: NewJobEvent) => {
    try {
      await events.append(event);
    } catch (error) {
      logger.warn({ err: error, jobId: event.data.jobId, type: event.type }, "event not published");
    }
  };

  return async (
    bullJob: BullJob<QueuedJobData>,
    _token?: string,
    signal?: AbortSignal,
  ): Promise<AttemptResult> => {
    const jobId = bullJob.id ?? "";
    const start = await jobs.startAttempt(jobId);
    if (start.kind === "missing" || start.kind === "terminal") return "released";
    if (start.kind === "exhausted") {
      await publish({
        type: "content_job.failed",
        data: { jobId, companyId: start.job.companyId, job: toJobSummary(start.job) },
      });
      throw new UnrecoverableError("attempts exhausted");
    }
    const { job, attempt, attemptLimit, interruptionRefunds, previousStatus } = start;
    const { companyId } = job;
    const log = logger.child({ jobId, jobType: job.jobType, attempt });
    if (previousStatus === "running") {
      // The row says an attempt was running, yet BullMQ handed the job out again: that worker was lost.
      const error = { code: "worker_lost", message: "the previous attempt stopped without finishing" };
      await publish({ type: "content_job.retrying", data: { jobId, companyId, attempt, error } });
    }
    await publish({
      type: "content_job.started",
      data: { jobId, companyId, attempt, job: toJobSummary(job) },
    });

    const abort = new AbortController();
    const onAbort = () => abort.abort(signal?.reason);
    if (signal?.aborted) onAbort();
    signal?.addEventListener("abort", onAbort, { once: true });
    const run = createRenderContext({
      jobId,
      companyId,
      attempt,
      signal: abort.signal,
      logger: log,
      artifacts: deps.artifacts,
      progressIntervalMs: deps.progressIntervalMs,
      onProgress: async (progress, stage, message) => {
        if (await jobs.updateProgress(jobId, attempt, progress, stage)) {
          await publish({
            type: "content_job.progress",
            data: { jobId, companyId, progress, stage, ...(message !== undefined && { message }) },
          });
        }
      },
    });

    // Metrics: an attempt ending by an unexpected error (its end not even recorded) counts as failed.
    let outcome: JobOutcome = "failed";
    const attemptStarted = performance.now();
    deps.observer?.started(job.jobType);
    try {
      await deps.render(job.jobType, job.input, run.ctx);
      if (abort.signal.aborted) throw abort.signal.reason ?? new Error("aborted");
      await run.settle();
      const artifacts = run.artifacts();
      if (artifacts.length === 0)
        throw new RenderError("no_artifact", "the renderer produced no artifact", { retryable: false });
      const done = await jobs.completeAttempt(jobId, attempt, artifacts);
      outcome = done ? "done" : "cancelled";
      if (!done) {
        log.info("finished, but the job was cancelled or taken over meanwhile: result dropped");
        return "released";
      }
      await publish({ type: "content_job.done", data: { jobId, companyId, job: toJobSummary(done) } });
      return "done";
    } catch (error) {
      await run.settle();
      // Interrupted by this worker (shutdown past its grace, a lost lock) rather than failed by the
      // job: handed back as a retry that does not use up the job's budget.
      const stoppedByWorker = abort.signal.aborted && abort.signal.reason !== abortReasons.cancelled;
      const interrupted = stoppedByWorker && interruptions.has(abort.signal.reason);
      const refund = interrupted && interruptionRefunds < maxInterruptionRefunds;
      const jobError = stoppedByWorker
        ? { code: "worker_interrupted", message: `the worker stopped the attempt (${abort.signal.reason})` }
        : toJobError(error);
      const final = !refund && (isPermanent(error) || attempt >= attemptLimit);
      const failed = await jobs.failAttempt(jobId, attempt, jobError, { final, refund });
      outcome = !failed ? "cancelled" : final ? "failed" : "retrying";
      if (!failed) {
        // Cancelled (the API already published it) or superseded: nothing of ours to record.
        log.info(
          { reason: String(abort.signal.reason ?? jobError.message) },
          "attempt ended without owning the job",
        );
        return "released";
      }
      if (final) {
        log.warn({ error: jobError }, "job failed");
        await publish({ type: "content_job.failed", data: { jobId, companyId, job: toJobSummary(failed) } });
        throw new UnrecoverableError(jobError.message);
      }
      const delayMs = deps.retryBackoffMs * 2 ** Math.max(0, bullJob.attemptsMade);
      log.info({ error: jobError, delayMs }, "attempt failed; retrying");
      await publish({
        type: "content_job.retrying",
        data: { jobId, companyId, attempt: attempt + 1, error: jobError, delayMs },
      });
      throw error instanceof Error ? error : new Error(jobError.message);
    } finally {
      signal?.removeEventListener("abort", onAbort);
      deps.observer?.finished(job.jobType, outcome, (performance.now() - attemptStarted) / 1000);
    }
  };
};
