// A backlog drained by one worker at the same concurrency: raw BullMQ with a no-op processor
// against a Kiln worker process on canary jobs of 0 ms (row transitions, events, a render thread,
// an artifact on disk).
import { Queue, Worker } from "bullmq";
import { Redis } from "ioredis";
import pg from "pg";
import type { BenchKiln } from "../bench-kiln.ts";
import { drainRate, load } from "./measure.ts";
import { type Company, canaryJob, kilnSubmit } from "./submit.ts";

export const rawWorker = async (
  kiln: BenchKiln,
  { jobs, concurrency }: { jobs: number; concurrency: number },
) => {
  const queueRedis = new Redis(kiln.redisUrl, { maxRetriesPerRequest: null });
  const workerRedis = new Redis(kiln.redisUrl, { maxRetriesPerRequest: null });
  const options = { prefix: `${kiln.prefix}:raw` };
  const queue = new Queue("raw-worker", { connection: queueRedis, ...options });
  for (let i = 0; i < jobs; i += 1_000) {
    await queue.addBulk(
      Array.from({ length: Math.min(1_000, jobs - i) }, () => ({
        name: "canary",
        data: canaryJob.input,
        opts: { removeOnComplete: true },
      })),
    );
  }
  let completed = 0;
  const worker = new Worker("raw-worker", async () => {}, {
    connection: workerRedis,
    concurrency,
    ...options,
  });
  worker.on("completed", () => {
    completed += 1;
  });
  try {
    const jobsPerSecond = await drainRate(jobs, async () => completed);
    return { jobsPerSecond, jobs, concurrency, load: load() };
  } finally {
    await worker.close();
    await queue.close();
    queueRedis.disconnect();
    workerRedis.disconnect();
  }
};

/** Submits the backlog first (no worker running), then starts a worker; the worker stays up. */
export const kilnWorker = async (
  kiln: BenchKiln,
  company: Company,
  { jobs, concurrency }: { jobs: number; concurrency: number },
) => {
  const { requests: accepted } = await kilnSubmit(kiln, company, { amount: jobs, inFlight: 32 });
  const db = new pg.Client({ connectionString: kiln.databaseUrl });
  await db.connect();
  try {
    const worker = await kiln.startWorker({ WORKER_CONCURRENCY: String(concurrency) });
    const jobsPerSecond = await drainRate(accepted, async () => {
      const { rows } = await db.query<{ done: number }>(
        "SELECT count(*)::int AS done FROM content_jobs WHERE company_id = $1 AND status = 'done'",
        [company.companyId],
      );
      return rows[0]?.done ?? 0;
    });
    return { worker, result: { jobsPerSecond, jobs, concurrency, load: load() } };
  } finally {
    await db.end();
  }
};
