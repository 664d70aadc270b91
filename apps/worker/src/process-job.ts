import { type JobError, type Logger, type RenderContext, RenderError } from "@kiln/core";
import type { AttemptEnd, JobEngine } from "@kiln/jobs";
import { type QueuedJobData, RetryLater } from "@kiln/queue";
import type { ArtifactStore } from "@kiln/storage";
import { type Job as BullJob, UnrecoverableError } from "bullmq";
import type { JobObserver, JobOutcome } from "./metrics/job-metrics.ts";
import { createRenderContext } from "./render-context.ts";

export interface ProcessJobDeps {
  engine: Pick<JobEngine, "startAttempt" | "reportProgress" | "complete" | "fail" | "handBack">;
  artifacts: ArtifactStore;
  /** Runs one attempt's render, isolated from this loop (see @kiln/renderers' render runner). */
  render(jobType: string, input: unknown, ctx: RenderContext): Promise<void>;
  logger: Logger;
  progressIntervalMs: number;
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
/** Interruptions that are not the job's fault: handed back to its budget (up to the engine's cap). */
const refundedReasons = new Set<unknown>([abortReasons.shutdown, abortReasons.lockLost]);

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

/** Tells BullMQ what the engine decided: retry after its delay, stop retrying, or let go. */
const settleInQueue = (end: AttemptEnd, message: string): AttemptResult => {
  if (end.kind === "released") return "released";
  if (end.kind === "failed") throw new UnrecoverableError(message);
  throw new RetryLater(message, end.delayMs);
};

/**
 * The BullMQ processor: runs one attempt of a job and reports it to the lifecycle engine, which
 * decides (in PostgreSQL, fenced by the attempt number) what the attempt may still change.
 */
export const createJobProcessor = (deps: ProcessJobDeps) => {
  const { engine, logger } = deps;

  return async (
    bullJob: BullJob<QueuedJobData>,
    _token?: string,
    signal?: AbortSignal,
  ): Promise<AttemptResult> => {
    const start = await engine.startAttempt(bullJob.id ?? "");
    if (start.kind === "skipped") {
      if (start.reason === "exhausted") throw new UnrecoverableError("attempts exhausted");
      return "released";
    }
    const { handle, job } = start;
    const log = logger.child({ jobId: handle.jobId, jobType: handle.jobType, attempt: handle.attempt });

    const abort = new AbortController();
    const onAbort = () => abort.abort(signal?.reason);
    if (signal?.aborted) onAbort();
    signal?.addEventListener("abort", onAbort, { once: true });
    const run = createRenderContext({
      jobId: handle.jobId,
      companyId: handle.companyId,
      attempt: handle.attempt,
      signal: abort.signal,
      logger: log,
      artifacts: deps.artifacts,
      progressIntervalMs: deps.progressIntervalMs,
      onProgress: async (progress, stage, message) => {
        await engine.reportProgress(handle, progress, stage, message);
      },
    });

    // Metrics: an attempt ending by an unexpected error (its end not even recorded) counts as failed.
    let outcome: JobOutcome = "failed";
    const attemptStarted = performance.now();
    deps.observer?.started(handle.jobType);
    try {
      await deps.render(handle.jobType, job.input, run.ctx);
      if (abort.signal.aborted) throw abort.signal.reason ?? new Error("aborted");
      await run.settle();
      const artifacts = run.artifacts();
      if (artifacts.length === 0)
        throw new RenderError("no_artifact", "the renderer produced no artifact", { retryable: false });
      const done = await engine.complete(handle, artifacts);
      outcome = done ? "done" : "cancelled";
      if (!done) {
        log.info("finished, but the job was cancelled or taken over meanwhile: result dropped");
        return "released";
      }
      return "done";
    } catch (error) {
      await run.settle();
      const reason = abort.signal.aborted ? abort.signal.reason : undefined;
      // Stopped by this worker (shutdown past its grace, a lost lock) rather than failed by the job.
      const stoppedByWorker = reason !== undefined && reason !== abortReasons.cancelled;
      const jobError = toJobError(error);
      const end = stoppedByWorker
        ? await engine.handBack(handle, String(reason), { counts: !refundedReasons.has(reason) })
        : await engine.fail(handle, jobError, { permanent: isPermanent(error) });
      outcome = end.kind === "released" ? "cancelled" : end.kind;
      if (end.kind === "released") {
        // Cancelled (the API already published it) or superseded: nothing of ours to record.
        log.info({ reason: String(reason ?? jobError.message) }, "attempt ended without owning the job");
      } else if (end.kind === "failed") {
        log.warn({ error: stoppedByWorker ? String(reason) : jobError }, "job failed");
      } else {
        log.info(
          { error: stoppedByWorker ? String(reason) : jobError, delayMs: end.delayMs },
          "attempt failed; retrying",
        );
      }
      return settleInQueue(
        end,
        stoppedByWorker ? `stopped by the worker (${String(reason)})` : jobError.message,
      );
    } finally {
      signal?.removeEventListener("abort", onAbort);
      deps.observer?.finished(handle.jobType, outcome, (performance.now() - attemptStarted) / 1000);
    }
  };
};
