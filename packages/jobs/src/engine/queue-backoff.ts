import { RetryLater } from "@kiln/queue";
import { retryDelayMs } from "../lifecycle/attempt-budget.ts";

/**
 * BullMQ's `backoffStrategy` for Kiln's queue entries: the engine's own delay when an attempt
 * failed through it (`RetryLater`), otherwise — the attempt failed before reaching PostgreSQL — the
 * same exponential backoff counted by BullMQ's attempts.
 */
export const queueBackoffStrategy =
  (baseMs: number) =>
  (attemptsMade: number, _type?: string, error?: Error): number =>
    error instanceof RetryLater ? error.delayMs : retryDelayMs(baseMs, attemptsMade);
