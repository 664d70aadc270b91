import { submitLimits } from "@kiln/core";

/**
 * A job's attempt budget, in one place. The row decides: `attempts` counts every attempt started
 * (across manual retries too) and `attempt_limit` is where the current budget ends — `maxAttempts`
 * from the submit or the last manual retry, plus the interruptions handed back to it. BullMQ's own
 * counters are set so that they never give up before the row does.
 */

/**
 * How many interrupted attempts one job may have handed back to its budget. Past it an
 * interruption uses up an attempt like a failure, so no job can be interrupted into a loop.
 */
export const maxInterruptionRefunds = 3;

/**
 * The n-th counted attempt of the current budget (1-based): a manual retry starts counting again,
 * a refunded interruption does not count.
 */
export const attemptOfBudget = ({
  attempt,
  attemptLimit,
  maxAttempts,
}: {
  attempt: number;
  attemptLimit: number;
  maxAttempts: number;
}): number => Math.max(1, attempt - (attemptLimit - maxAttempts));

/** The wait before the next attempt after the n-th failed one: `base · 2^(n-1)`. */
export const retryDelayMs = (baseMs: number, failedAttempt: number): number =>
  Math.round(baseMs * 2 ** Math.max(0, failedAttempt - 1));

/**
 * BullMQ's attempts for a queue entry: every retry BullMQ counts is one the engine decided, plus
 * headroom for attempts that failed before reaching PostgreSQL (database down); past it the
 * entry fails and the reconciler enqueues the still-active row again.
 */
export const queueAttemptsFor = (maxAttempts: number): number => maxAttempts + maxInterruptionRefunds + 10;

/**
 * How often BullMQ may find one entry stalled before failing it. Each stall costs the row an
 * attempt (`worker_lost`), so the row's budget always runs out first.
 */
export const queueMaxStalledCount = submitLimits.maxAttempts.max + maxInterruptionRefunds + 10;
