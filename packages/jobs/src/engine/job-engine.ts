import type { Job, JobError } from "@kiln/core";
import type { StoredArtifact } from "@kiln/db";
import type { NewJobRow } from "../store/job-rows.ts";

/** One attempt a worker owns; every write it makes is fenced by `attempt`. */
export interface AttemptHandle {
  jobId: string;
  companyId: string;
  jobType: string;
  attempt: number;
  /** Where the current budget ends (`attempts` may grow up to it). */
  attemptLimit: number;
  /** Attempts of this job already handed back to its budget. */
  interruptionRefunds: number;
  maxAttempts: number;
}

/** What starting an attempt found. */
export type AttemptStart =
  | { kind: "started"; handle: AttemptHandle; job: Job }
  /** Nothing to run: the row is gone, already finished, or just ran out of attempts (published). */
  | { kind: "skipped"; reason: "missing" | "terminal" | "exhausted" };

/** How a failed or interrupted attempt ended, as the queue adapter must act on it. */
export type AttemptEnd =
  /** Queued again: the adapter has the queue retry after `delayMs`. */
  | { kind: "retrying"; delayMs: number }
  /** Failed for good: the adapter stops the queue's retries. */
  | { kind: "failed" }
  /** The attempt no longer owned the row (cancelled, superseded): nothing was written. */
  | { kind: "released" };

export interface ReconcileReport {
  checked: number;
  enqueued: number;
  /** Running-cap slots freed of jobs that had ended. */
  released?: number;
}

/**
 * Every transition of a job's life (see `transitions`): the only writer of a job row's status and
 * attempts, and the only publisher of job events. The API routes and the queue worker adapt it.
 */
export interface JobEngine {
  /**
   * Commits the row, then enqueues it; an enqueue that fails is left to `reconcile`. Throws
   * `quota_exceeded` (nothing created) when the company already has its most active jobs.
   */
  submit(request: NewJobRow): Promise<{ job: Job; created: boolean }>;
  /** Throws `not_found` / `conflict` (already finished). Aborts a running attempt wherever it runs. */
  cancel(companyId: string, jobId: string): Promise<Job>;
  /** Throws `not_found` / `conflict` (not failed or cancelled). A fresh budget; runs at once. */
  retry(companyId: string, jobId: string): Promise<Job>;

  startAttempt(jobId: string): Promise<AttemptStart>;
  /** `false` when the attempt no longer owns the row (its render should stop). */
  reportProgress(handle: AttemptHandle, progress: number, stage: string, message?: string): Promise<boolean>;
  /** `null` when the attempt no longer owned the row: its result is dropped. */
  complete(handle: AttemptHandle, artifacts: StoredArtifact[]): Promise<Job | null>;
  /** The job failed this attempt: retried with backoff while the budget lasts, unless `permanent`. */
  fail(handle: AttemptHandle, error: JobError, options: { permanent: boolean }): Promise<AttemptEnd>;
  /**
   * The worker interrupted the attempt (shutdown past its grace, a lost lock): queued again at once,
   * the attempt given back to the budget up to `maxInterruptionRefunds` times — or, when `counts`
   * (the worker's own fault, e.g. its loop stalled), used up like a failure.
   */
  handBack(handle: AttemptHandle, reason: string, options?: { counts?: boolean }): Promise<AttemptEnd>;

  /**
   * One pass: re-enqueues active rows older than `olderThan` whose queue entry is gone or finished,
   * and frees the running-cap slots of `jobTypes`' jobs that ended without releasing them.
   */
  reconcile(options: { olderThan: Date; batchSize?: number; jobTypes?: string[] }): Promise<ReconcileReport>;
  /**
   * After a worker let go of a job's queue entry: a row found queued again meanwhile (a retry that
   * arrived while the entry was locked) is enqueued at once. `true` when it was.
   */
  requeueIfQueued(companyId: string, jobId: string): Promise<boolean>;
}
