import { type JobsOptions, Queue } from "bullmq";
import { createFairLines, type FairLines } from "./fair/fair-lines.ts";
import { jobTypeKeys } from "./hash-tags.ts";
import { type RedisClient, withTimeout } from "./redis-connection.ts";

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
  /** The company's fleet-wide cap of this type's jobs in flight: `null` none, absent: as it is. */
  maxRunning?: number | null;
}

export interface JobQueuesOptions {
  connection: RedisClient;
  /** Redis key prefix of every queue. Default `kiln`. */
  prefix?: string;
  /** How long an enqueue may take before it counts as failed. Default 3000 ms. */
  timeoutMs?: number;
}

/** The queue of a job type. One queue per job type lets operators run workers for some types only. */
export const queueNameOf = (jobType: string): string => `jobs.${jobType}`;

/**
 * The BullMQ prefix of a job type's queue: Kiln's prefix and the job type's hash tag, so on a
 * cluster the queue's keys (which BullMQ's scripts use together) share one slot with the type's
 * fair lines, and each job type's queue can live on another shard.
 */
export const queuePrefixOf = (prefix: string, jobType: string): string => jobTypeKeys(prefix, jobType);

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

export type QueueEntryState =
  | "waiting"
  | "active"
  | "delayed"
  | "prioritized"
  | "completed"
  | "failed"
  /** Waiting for its turn in its company's line (see fair-lines.ts); not in BullMQ yet. */
  | "lined"
  | "missing";

export interface JobQueues {
  /** Puts the job in its company's line and dispatches what is due (see `FairLines`). */
  enqueue(request: EnqueueRequest): Promise<void>;
  /** Moves the jobs whose turn it is from the companies' lines into the type's BullMQ queue. */
  dispatch(jobType: string): Promise<number>;
  /** Removes a lined or waiting entry; `false` when it is active (locked by a worker) or missing. */
  remove(jobType: string, id: string): Promise<boolean>;
  stateOf(jobType: string, id: string): Promise<QueueEntryState>;
  /** The job's last attempt ended (or it was cancelled): it stops counting against its company's running cap. */
  release(jobType: string, companyId: string, id: string): Promise<void>;
  /** The companies' lines. */
  lines: FairLines;
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
      found = new Queue<QueuedJobData>(queueNameOf(jobType), {
        connection,
        prefix: queuePrefixOf(prefix, jobType),
      });
      found.on("error", () => {});
      queues.set(jobType, found);
    }
    return found;
  };

  const lines = createFairLines({ redis: connection, prefix, timeoutMs });

  const dispatch = async (jobType: string): Promise<number> => {
    const target = queue(jobType);
    const { wait = "", prioritized = "" } = target.keys;
    const due = await lines.dispatch(jobType, { wait, prioritized });
    if (due.length === 0) return 0;
    // Once out of its line a job must reach BullMQ; should this add fail, the reconciler finds the
    // queued row with neither and lines it again.
    await withTimeout(
      target.addBulk(
        due.map(({ id, companyId, attempts }) => ({
          name: jobType,
          data: { companyId },
          opts: {
            // The Kiln id is the BullMQ id, so adding the same job twice is a no-op.
            jobId: id,
            attempts,
            backoff: { type: kilnBackoffType },
            removeOnComplete: true,
            removeOnFail: { age: 24 * 3600, count: 10_000 },
          } satisfies JobsOptions,
        })),
      ),
      timeoutMs,
      "enqueue",
    );
    await lines.landed(
      jobType,
      due.map((job) => job.id),
    );
    return due.length;
  };

  return {
    queue,
    lines,
    dispatch,
    async enqueue(request) {
      // Sent together on one connection (one round trip): Redis runs the dispatch after the add.
      await Promise.all([lines.add(request), dispatch(request.jobType)]);
    },
    async remove(jobType, id) {
      if (await lines.remove(jobType, id)) return true;
      const removed = await withTimeout(queue(jobType).remove(id), timeoutMs, "dequeue");
      return removed === 1;
    },
    async stateOf(jobType, id) {
      const job = await withTimeout(queue(jobType).getJob(id), timeoutMs, "queue lookup");
      if (!job) return (await lines.isLined(jobType, id)) ? "lined" : "missing";
      const state = await job.getState();
      if (state === "unknown" || state === "waiting-children") return "missing";
      return state as QueueEntryState;
    },
    release: (jobType, companyId, id) => lines.release(jobType, companyId, id),
    async close() {
      await Promise.all([...queues.values()].map((q) => q.close()));
      queues.clear();
    },
  };
};
