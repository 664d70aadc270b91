import { type JobsOptions, Queue } from "bullmq";
import type { Redis } from "ioredis";
import { withTimeout } from "./redis-connection.ts";

/** What the queue carries: only the id; the row in PostgreSQL holds everything else. */
export interface QueuedJobData {
  companyId: string;
}

export interface EnqueueRequest {
  id: string;
  companyId: string;
  jobType: string;
  /** Kiln priority 0–100, higher first. */
  priority: number;
  /** How many attempts BullMQ may make of this entry (the lifecycle engine sets it; see @kiln/jobs). */
  attempts: number;
}

export interface JobQueuesOptions {
  connection: Redis;
  /** Redis key prefix of every queue. Default `kiln`. */
  prefix?: string;
  /** How long an enqueue may take before it counts as failed. Default 3000 ms. */
  timeoutMs?: number;
}

/** The queue of a job type. One queue per job type lets operators run workers for some types only. */
export const queueNameOf = (jobType: string): string => `jobs.${jobType}`;

/**
 * The backoff type of every entry: the delay is the lifecycle engine's, handed to the worker with
 * the failed attempt's error (see `RetryLater`); workers register it as BullMQ's `backoffStrategy`.
 */
export const kilnBackoffType = "kiln";

/** Thrown by a queue processor when the lifecycle engine queued the job again after `delayMs`. */
export class RetryLater extends Error {
  readonly delayMs: number;
  constructor(message: string, delayMs: number) {
    super(message);
    this.name = "RetryLater";
    this.delayMs = delayMs;
  }
}

/** BullMQ runs jobs without a priority first, so every Kiln job gets one: 100 → 1 (first), 0 → 101. */
export const bullPriorityOf = (priority: number): number => 101 - priority;

export type QueueEntryState =
  | "waiting"
  | "active"
  | "delayed"
  | "prioritized"
  | "completed"
  | "failed"
  | "missing";

export interface JobQueues {
  enqueue(request: EnqueueRequest): Promise<void>;
  /** Removes a waiting entry; `false` when it is active (locked by a worker) or missing. */
  remove(jobType: string, id: string): Promise<boolean>;
  stateOf(jobType: string, id: string): Promise<QueueEntryState>;
  /** The BullMQ queue of a job type (Bull Board, metrics). */
  queue(jobType: string): Queue<QueuedJobData>;
  close(): Promise<void>;
}

export const createJobQueues = ({
  connection,
  prefix = "kiln",
  timeoutMs = 3_000,
}: JobQueuesOptions): JobQueues => {
  const queues = new Map<string, Queue<QueuedJobData>>();
  const queue = (jobType: string): Queue<QueuedJobData> => {
    let found = queues.get(jobType);
    if (!found) {
      found = new Queue<QueuedJobData>(queueNameOf(jobType), { connection, prefix });
      found.on("error", () => {});
      queues.set(jobType, found);
    }
    return found;
  };

  return {
    queue,
    async enqueue({ id, companyId, jobType, priority, attempts }) {
      const options: JobsOptions = {
        // The Kiln id is the BullMQ id, so enqueueing the same job twice is a no-op.
        jobId: id,
        priority: bullPriorityOf(priority),
        attempts,
        backoff: { type: kilnBackoffType },
        removeOnComplete: true,
        removeOnFail: { age: 24 * 3600, count: 10_000 },
      };
      await withTimeout(queue(jobType).add(jobType, { companyId }, options), timeoutMs, "enqueue");
    },
    async remove(jobType, id) {
      const removed = await withTimeout(queue(jobType).remove(id), timeoutMs, "dequeue");
      return removed === 1;
    },
    async stateOf(jobType, id) {
      const job = await withTimeout(queue(jobType).getJob(id), timeoutMs, "queue lookup");
      if (!job) return "missing";
      const state = await job.getState();
      if (state === "unknown" || state === "waiting-children") return "missing";
      return state as QueueEntryState;
    },
    async close() {
      await Promise.all([...queues.values()].map((q) => q.close()));
      queues.clear();
    },
  };
};
