// The whole pipeline, for real: an API process and one worker process (default concurrency)
// against PostgreSQL and Redis, measured from the outside over HTTP and SSE.
//   npm run bench -- pipeline            (BENCH_JOBS=200 to change the sample size)
import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { roomyLimits } from "@kiln/api/testing/roomy-limits";
import { migrateDatabase, prismaMigrationsDir } from "@kiln/db";
import { createRedisConnection } from "@kiln/queue";
import { createRendererRegistry, sampleInputs as rendererSampleInputs } from "@kiln/renderers";
import { readSse, type SseEvent, spawnKilnProcess } from "@kiln/testkit";
import { deleteRedisKeys } from "@kiln/testkit/redis";
import pg from "pg";
import { percentile, round, runPool } from "./stats.ts";

const jobs = Number(process.env.BENCH_JOBS ?? 200);
const server = process.env.BENCH_DATABASE_SERVER ?? "postgresql://postgres@127.0.0.1:5432";
const redisUrl = process.env.BENCH_REDIS_URL ?? "redis://127.0.0.1:6379/12";

/** Each job type's representative input (the one the dashboard offers), the canary made instant. */
const sampleInputs: Record<string, unknown> = {
  ...rendererSampleInputs,
  canary: { durationMs: 0, steps: 1 },
};

export const runPipelineBench = async () => {
  const dbName = `kiln_bench_${randomBytes(4).toString("hex")}`;
  const databaseUrl = `${server}/${dbName}`;
  const prefix = `kiln-bench-${randomBytes(4).toString("hex")}`;
  const storage = await mkdtemp(join(tmpdir(), "kiln-bench-"));
  const adminToken = `kiln_admin_bench_${randomBytes(12).toString("hex")}`;
  await migrateDatabase({ databaseUrl, migrationsDir: prismaMigrationsDir });
  const env = {
    DATABASE_URL: databaseUrl,
    REDIS_URL: redisUrl,
    KILN_REDIS_PREFIX: prefix,
    KILN_ADMIN_TOKEN: adminToken,
    STORAGE_DIR: storage,
    KILN_DATA_DIR: storage,
    LOG_LEVEL: "warn",
    // Throughput, not the default rate limits, is what this measures.
    ...roomyLimits,
  };
  const api = spawnKilnProcess("apps/api/src/main.ts", { ...env, PORT: "0", HOST: "127.0.0.1" });
  let worker: ReturnType<typeof spawnKilnProcess> | undefined;
  try {
    const [, port] = await api.waitFor(/KILN_API_LISTENING port=(\d+)/, 60_000);
    const base = `http://127.0.0.1:${port}`;
    const post = async (path: string, token: string, body: unknown) =>
      fetch(`${base}${path}`, {
        method: "POST",
        headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
        body: JSON.stringify(body),
      });
    const company = (await (await post("/api/companies", adminToken, { name: "bench" })).json()) as {
      id: string;
    };
    const { key } = (await (
      await post(`/api/companies/${company.id}/api-keys`, adminToken, { name: "bench" })
    ).json()) as { key: string };
    const jobsPath = `/api/companies/${company.id}/content-jobs`;

    // Every job's terminal event, seen on the company stream, as a dashboard would.
    const finishedAt = new Map<string, number>();
    const waiters = new Map<string, () => void>();
    const stream = await fetch(`${base}/api/companies/${company.id}/events`, {
      headers: { authorization: `Bearer ${key}` },
    });
    const controller = readSse(stream, {
      timeoutMs: 30 * 60_000,
      until: () => false,
      onEvent: (event: SseEvent) => {
        if (event.event !== "content_job.done" && event.event !== "content_job.failed") return;
        const jobId = event.data.jobId as string;
        finishedAt.set(jobId, performance.now());
        waiters.get(jobId)?.();
      },
    });
    const finished = (jobId: string) =>
      finishedAt.has(jobId) ? Promise.resolve() : new Promise<void>((resolve) => waiters.set(jobId, resolve));

    const submit = async (jobType: string) => {
      const started = performance.now();
      const response = await post(jobsPath, key, { jobType, input: sampleInputs[jobType] });
      if (response.status !== 202)
        throw new Error(`submit ${jobType}: ${response.status} ${await response.text()}`);
      const { jobId } = (await response.json()) as { jobId: string };
      return { jobId, started, accepted: performance.now() };
    };

    // 1. Submit rate and latency (API + PostgreSQL + Redis), 16 clients at once, no worker yet:
    // the API's own cost. Then one worker drains the backlog.
    const burstStart = performance.now();
    const burst = await runPool(jobs, 16, () => submit("canary"));
    const burstSeconds = (performance.now() - burstStart) / 1000;
    worker = spawnKilnProcess("apps/worker/src/main.ts", env);
    await worker.waitFor(/KILN_WORKER_READY/, 60_000);
    const drainStart = performance.now();
    await Promise.all(burst.map((job) => finished(job.jobId)));
    const drainSeconds = (performance.now() - drainStart) / 1000;
    const submitMs = burst.map((job) => job.accepted - job.started);

    // 2. End to end, one job at a time: submit → terminal event on the company stream.
    const e2e: number[] = [];
    for (let i = 0; i < 50; i++) {
      const job = await submit("canary");
      await finished(job.jobId);
      e2e.push(finishedAt.get(job.jobId)! - job.started);
    }

    // 3. Each job type through the worker at its default concurrency.
    const perType: Record<string, unknown> = {};
    for (const jobType of createRendererRegistry().keys()) {
      const count = jobType === "canary" ? 100 : 50;
      const start = performance.now();
      const batch = await runPool(count, 8, () => submit(jobType));
      await Promise.all(batch.map((job) => finished(job.jobId)));
      const seconds = (performance.now() - start) / 1000;
      const latencies = batch.map((job) => finishedAt.get(job.jobId)! - job.started);
      perType[jobType] = {
        jobs: count,
        jobsPerSecond: round(count / seconds),
        latencyP50Ms: round(percentile(latencies, 50)),
        latencyP95Ms: round(percentile(latencies, 95)),
      };
    }
    void controller;
    return {
      submit: {
        jobs,
        requestsPerSecond: round(jobs / burstSeconds),
        p50Ms: round(percentile(submitMs, 50)),
        p95Ms: round(percentile(submitMs, 95)),
        drainedJobsPerSecond: round(jobs / drainSeconds),
      },
      endToEndCanary: { p50Ms: round(percentile(e2e, 50)), p95Ms: round(percentile(e2e, 95)) },
      throughputByJobType: perType,
    };
  } finally {
    await Promise.all([api.stop("SIGTERM"), worker?.stop("SIGTERM")]);
    const redis = createRedisConnection({ url: redisUrl, name: "kiln-bench" });
    await deleteRedisKeys(redis, `${prefix}:*`);
    redis.disconnect();
    const admin = new pg.Client({ connectionString: `${server}/postgres` });
    await admin.connect();
    await admin.query(`DROP DATABASE IF EXISTS "${dbName}" WITH (FORCE)`);
    await admin.end();
    await rm(storage, { recursive: true, force: true });
  }
};
