// A real Kiln for benchmarks: an API process and worker processes over a database and a Redis
// prefix of their own, driven from the outside over HTTP. Raw baselines use the same database and
// Redis (`databaseUrl`, `redisUrl`, `prefix`), so both sides of a ratio pay for the same servers.
import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { roomyLimits } from "@kiln/api/testing/roomy-limits";
import { migrateDatabase, prismaMigrationsDir } from "@kiln/db";
import { createRedisConnection } from "@kiln/queue";
import { type SpawnedProcess, spawnKilnProcess } from "@kiln/testkit";
import { deleteRedisKeys } from "@kiln/testkit/redis";
import pg from "pg";

const server = process.env.BENCH_DATABASE_SERVER ?? "postgresql://postgres@127.0.0.1:5432";
const redisUrl = process.env.BENCH_REDIS_URL ?? "redis://127.0.0.1:6379/12";

export interface BenchKilnOptions {
  /** More environment of the API process (its defaults: the roomy limits, `LOG_LEVEL=warn`). */
  apiEnv?: Record<string, string>;
  /** Node's flags for the API and worker processes, e.g. `--cpu-prof --cpu-prof-dir=…` to profile them. */
  nodeArgs?: string[];
}

export type BenchKiln = Awaited<ReturnType<typeof startBenchKiln>>;

export const startBenchKiln = async ({ apiEnv = {}, nodeArgs = [] }: BenchKilnOptions = {}) => {
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
    // Throughput, not the default rate limits and quotas, is what benchmarks measure.
    ...roomyLimits,
  };
  const processes: SpawnedProcess[] = [];
  const api = spawnKilnProcess(
    "apps/api/src/main.ts",
    { ...env, PORT: "0", HOST: "127.0.0.1", ...apiEnv },
    [],
    { nodeArgs },
  );
  processes.push(api);
  const [, port] = await api.waitFor(/KILN_API_LISTENING port=(\d+)/, 60_000);
  const base = `http://127.0.0.1:${port}`;

  const call = (method: string, path: string, token: string, body?: unknown) =>
    fetch(`${base}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        ...(body !== undefined && { "content-type": "application/json" }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });

  return {
    base,
    call,
    api,
    databaseUrl,
    redisUrl,
    /** Redis key prefix of this Kiln; raw baselines put their keys under it too (cleaned on close). */
    prefix,
    async createCompany(name: string) {
      const company = (await (await call("POST", "/api/companies", adminToken, { name })).json()) as {
        id: string;
      };
      const { key } = (await (
        await call("POST", `/api/companies/${company.id}/api-keys`, adminToken, { name: "bench" })
      ).json()) as { key: string };
      return { companyId: company.id, key };
    },
    async startWorker(workerEnv: Record<string, string> = {}) {
      const worker = spawnKilnProcess("apps/worker/src/main.ts", { ...env, ...workerEnv }, [], { nodeArgs });
      processes.push(worker);
      await worker.waitFor(/KILN_WORKER_READY/, 60_000);
      return worker;
    },
    async close() {
      await Promise.all(processes.map((child) => child.stop("SIGTERM")));
      const redis = createRedisConnection({ url: redisUrl, name: "kiln-bench" });
      await deleteRedisKeys(redis, `${prefix}:*`);
      redis.disconnect();
      const admin = new pg.Client({ connectionString: `${server}/postgres` });
      await admin.connect();
      await admin.query(`DROP DATABASE IF EXISTS "${dbName}" WITH (FORCE)`);
      await admin.end();
      await rm(storage, { recursive: true, force: true });
    },
  };
};
