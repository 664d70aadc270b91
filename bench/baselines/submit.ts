// Submits at 64 in flight: the least work a durable submit needs (one INSERT of a job row through
// `pg`, then one BullMQ `Queue.add`, no HTTP) against Kiln's `POST …/content-jobs` over HTTP,
// driven by autocannon.
import { randomUUID } from "node:crypto";
import autocannon from "autocannon";
import { Queue } from "bullmq";
import { Redis } from "ioredis";
import pg from "pg";
import type { BenchKiln } from "../bench-kiln.ts";
import { round } from "../stats.ts";
import { cpuMsOf, latencyOf, load, loopFor, serviceCpuDuring } from "./measure.ts";

export const canaryJob = { jobType: "canary", input: { durationMs: 0, steps: 1 } };

export interface Company {
  companyId: string;
  key: string;
}

/** The raw durable submit: a row committed in PostgreSQL, then a BullMQ entry; nothing else. */
export const rawDurableSubmit = async (
  kiln: BenchKiln,
  { companyId }: Company,
  { seconds, inFlight }: { seconds: number; inFlight: number },
) => {
  // Kiln's own pool size (pg's default), against the same table and its indexes.
  const pool = new pg.Pool({ connectionString: kiln.databaseUrl, max: 10 });
  const redis = new Redis(kiln.redisUrl, { maxRetriesPerRequest: null });
  const queue = new Queue("raw-submit", { connection: redis, prefix: `${kiln.prefix}:raw` });
  const input = JSON.stringify(canaryJob.input);
  try {
    const { result: run, cpuMsPerRequest } = await serviceCpuDuring(
      () =>
        loopFor(seconds, inFlight, async () => {
          const id = randomUUID();
          await pool.query(
            `INSERT INTO content_jobs (id, company_id, job_type, input, status)
             VALUES ($1, $2, 'canary', $3, 'queued')`,
            [id, companyId, input],
          );
          await queue.add("canary", { companyId }, { jobId: id, removeOnComplete: true });
        }),
      (result) => result.count,
    );
    return {
      perSecond: run.perSecond,
      ...latencyOf(run.latencies),
      requests: run.count,
      cpuMsPerRequest,
      load: load(),
    };
  } finally {
    await queue.close();
    redis.disconnect();
    await pool.end();
  }
};

/** Kiln's submit over HTTP with autocannon; `cpuMsPerS`: autocannon's own CPU (this process's). */
export const kilnSubmit = async (
  kiln: BenchKiln,
  { companyId, key }: Company,
  options: { seconds: number; inFlight: number } | { amount: number; inFlight: number },
) => {
  const cpuBefore = process.cpuUsage();
  const apiCpuBefore = cpuMsOf(kiln.api.child.pid);
  const { result, cpuMsPerRequest } = await serviceCpuDuring(
    () =>
      autocannon({
        url: `${kiln.base}/api/companies/${companyId}/content-jobs`,
        method: "POST",
        headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
        body: JSON.stringify(canaryJob),
        connections: options.inFlight,
        ...("seconds" in options ? { duration: options.seconds } : { amount: options.amount }),
      }),
    (result) => result["2xx"],
  );
  const cpu = process.cpuUsage(cpuBefore);
  const apiCpu = (cpuMsOf(kiln.api.child.pid) ?? Number.NaN) - (apiCpuBefore ?? Number.NaN);
  // Only accepted submits count; refusals and errors are reported (a 503 under load is a figure, not a crash).
  return {
    perSecond: round(result["2xx"] / result.duration),
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    requests: result["2xx"],
    notAccepted: result.non2xx + result.errors,
    autocannonCpuMsPerS: round((cpu.user + cpu.system) / 1000 / result.duration),
    apiCpuMsPerRequest: round(apiCpu / result["2xx"], 2),
    cpuMsPerRequest: { api: round(apiCpu / result["2xx"], 3), ...cpuMsPerRequest },
    load: load(),
  };
};
