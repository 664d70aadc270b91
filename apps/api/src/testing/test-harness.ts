import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Logger, namesRedisCluster, silentLogger } from "@kiln/core";
import { createRedisConnection } from "@kiln/queue";
import { createRendererRegistry } from "@kiln/renderers";
import { type ServedApp, type SpawnedProcess, serveFetch, spawnKilnProcess } from "@kiln/testkit";
import { createTestDatabase } from "@kiln/testkit/databases";
import { deleteRedisKeys } from "@kiln/testkit/redis";
import { loadWorkerConfig, runWorker } from "@kiln/worker";
import { createApp, type KilnApp } from "../app.ts";
import { buildServices } from "../build-services.ts";
import { loadApiConfig } from "../config.ts";
import { roomyLimits } from "./roomy-limits.ts";

/** Tests use their own Redis database index and a random key prefix: never a running instance's keys. */
export const testRedisUrl = process.env.KILN_TEST_REDIS_URL ?? "redis://127.0.0.1:6379/13";

/**
 * Ports of TCP proxies an in-process API reaches PostgreSQL / Redis through (workers and the
 * harness itself connect directly), so a test can take a dependency "down" for that API alone.
 */
export interface ApiThrough {
  postgresPort?: number;
  redisPort?: number;
}

export interface HarnessOptions {
  /** Extra API settings (env names). */
  env?: Record<string, string>;
  /**
   * Another Redis than the tests' database 13, e.g. a cluster's `redis+cluster://…` URL
   * (`startRedisCluster` in @kiln/testkit/redis): the API, the workers and `h.redis` use it.
   */
  redisUrl?: string;
  /** Proxies the harness's own in-process API goes through. */
  apiThrough?: ApiThrough;
  /** The in-process API's logger (default: silent), e.g. to assert that nothing was logged. */
  logger?: Logger;
}

const viaPort = (url: string, port: number | undefined) => {
  if (!port) return url;
  // A cluster client learns every node's address from the cluster and connects to each itself.
  if (namesRedisCluster(url)) throw new Error("a TCP proxy cannot stand between an API and a Redis Cluster");
  const parsed = new URL(url);
  parsed.port = String(port);
  return parsed.toString();
};

export interface InProcessWorkerOptions {
  /** Job types to serve (default: all). */
  jobTypes?: string[];
  /** The worker's logger (default: silent). */
  logger?: Logger;
}

/** A worker running in the test's own process, as `runWorker()` builds it. */
export type InProcessWorker = Awaited<ReturnType<typeof runWorker>>;

/**
 * Loads what the renderers load when warmed up (Chromium's driver) into this process, once.
 * runWorker() warms them while its first query connects under a 3 s timeout; in a cold test
 * process under load that loading held the loop past the timeout and failed the worker's start.
 */
let renderersWarm: Promise<unknown> | undefined;
const warmRenderers = () => {
  renderersWarm ??= Promise.all(
    [...createRendererRegistry().values()].map((renderer) => renderer.warmUp?.()),
  );
  return renderersWarm;
};

export interface RequestOptions {
  key?: string;
  body?: unknown;
  headers?: Record<string, string | undefined>;
}

/**
 * A real Kiln against real PostgreSQL and Redis, isolated per test file: its own database copy,
 * Redis key prefix and storage folder. The API runs in-process (`app.request`). Workers run
 * in-process too (`runWorker`) unless a test needs a process to kill or signal (`startWorker`);
 * extra API instances are either (`addApiInstance`, `startApi`).
 */
export const createTestHarness = async (options: HarnessOptions = {}) => {
  const database = await createTestDatabase();
  const prefix = `kiln-test-${randomBytes(5).toString("hex")}`;
  const storageDir = await mkdtemp(join(tmpdir(), "kiln-test-storage-"));
  const adminToken = `kiln_admin_test_${randomBytes(12).toString("hex")}`;
  const redisUrl = options.redisUrl ?? testRedisUrl;
  const env: Record<string, string> = {
    DATABASE_URL: database.url,
    REDIS_URL: redisUrl,
    KILN_REDIS_PREFIX: prefix,
    KILN_ADMIN_TOKEN: adminToken,
    STORAGE_DIR: storageDir,
    KILN_DATA_DIR: storageDir,
    LOG_LEVEL: "silent",
    NODE_ENV: "test",
    KILN_RETRY_BACKOFF_MS: "100",
    // Tests read job counts right after changing them; the cache has tests of its own.
    KILN_METRICS_JOB_COUNTS_TTL_MS: "0",
    ...roomyLimits,
    ...options.env,
  };
  const apiConfig = (through: ApiThrough = {}, extraEnv: Record<string, string> = {}) =>
    loadApiConfig({
      ...env,
      ...extraEnv,
      DATABASE_URL: viaPort(database.url, through.postgresPort),
      REDIS_URL: viaPort(redisUrl, through.redisPort),
    });
  const logger = options.logger ?? silentLogger;
  const built = await buildServices({ config: apiConfig(options.apiThrough), logger, adminToken });
  const app = createApp(built.services);
  const processes = new Set<SpawnedProcess>();
  const instances = new Set<{ close(): Promise<void> }>();
  const workers = new Set<InProcessWorker>();
  const servers = new Set<ServedApp>();
  // The harness's own connection (tests read keys with it); patient, as a test's reads should be.
  const redis = createRedisConnection({ url: redisUrl, name: "kiln-test-harness", blocking: true });

  const requestTo =
    (target: KilnApp) =>
    async (method: string, path: string, { key, body, headers = {} }: RequestOptions = {}) =>
      target.request(path, {
        method,
        headers: Object.fromEntries(
          Object.entries({
            ...(key && { authorization: `Bearer ${key}` }),
            ...(body !== undefined && { "content-type": "application/json" }),
            ...headers,
          }).filter((entry): entry is [string, string] => entry[1] !== undefined),
        ),
        body: body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body),
      });
  const request = requestTo(app);
  const serveOn = async (target: KilnApp, port?: number): Promise<ServedApp> => {
    const served = await serveFetch(target.fetch, { port });
    servers.add(served);
    return served;
  };

  const harness = {
    app,
    services: built.services,
    env,
    prefix,
    adminToken,
    database,
    redis,
    request,
    admin: (method: string, path: string, body?: unknown) => request(method, path, { key: adminToken, body }),

    /** A new company and an API key for it. */
    async createCompany(name = "Acme") {
      const company = (await (await harness.admin("POST", "/api/companies", { name })).json()) as {
        id: string;
      };
      const key = (await (
        await harness.admin("POST", `/api/companies/${company.id}/api-keys`, { name: "test" })
      ).json()) as {
        id: string;
        key: string;
      };
      return { companyId: company.id, key: key.key, keyId: key.id };
    },

    /**
     * Starts a worker in this process against this harness's database and Redis: the same
     * `runWorker()` a worker process runs, with its own connections (so cancels and events still
     * travel through Redis). `close()` it to stop it early; the harness closes what is left.
     */
    async runWorker(workerEnv: Record<string, string> = {}, options: InProcessWorkerOptions = {}) {
      await warmRenderers();
      const config = loadWorkerConfig({
        ...env,
        // Whatever still runs when the harness closes is handed back at once, as a kill would leave it.
        KILN_SHUTDOWN_GRACE_MS: "0",
        ...workerEnv,
      });
      const started = await runWorker({
        config,
        logger: options.logger ?? silentLogger,
        jobTypes: options.jobTypes,
      });
      let closing: Promise<void> | undefined;
      const worker: InProcessWorker = {
        ...started,
        close() {
          closing ??= started.close().finally(() => workers.delete(worker));
          return closing;
        },
      };
      workers.add(worker);
      return worker;
    },

    /** Starts a real worker process against this harness's database and Redis. */
    async startWorker(workerEnv: Record<string, string> = {}, args: string[] = []) {
      const worker = spawnKilnProcess("apps/worker/src/main.ts", { ...env, ...workerEnv }, args);
      processes.add(worker);
      worker.exited.then(() => processes.delete(worker));
      await worker.waitFor(/KILN_WORKER_READY/, 60_000);
      return worker;
    },

    /**
     * Another in-process API instance with services of its own (connections, SSE registry, event
     * hub) over the same database and Redis prefix, as a second machine would run it; `env`
     * changes some of its settings.
     */
    async addApiInstance({
      through,
      env: instanceEnv,
    }: {
      through?: ApiThrough;
      env?: Record<string, string>;
    } = {}) {
      const other = await buildServices({ config: apiConfig(through, instanceEnv), logger, adminToken });
      const otherApp = createApp(other.services);
      instances.add(other);
      return {
        app: otherApp,
        services: other.services,
        request: requestTo(otherApp),
        /** This instance on a real loopback port, `port` or a free one (closed with the harness). */
        serve: ({ port }: { port?: number } = {}) => serveOn(otherApp, port),
      };
    },

    /**
     * This harness's in-process API on a real loopback port, `port` or a free one (what the API
     * process serves), for a client or a browser that needs TCP. `close()` it to take the API
     * away; use `startApi` only to kill or signal an API process.
     */
    serve: ({ port }: { port?: number } = {}) => serveOn(app, port),

    /** Starts a real API process; resolves with its base URL. */
    async startApi(apiEnv: Record<string, string> = {}) {
      const api = spawnKilnProcess("apps/api/src/main.ts", {
        ...env,
        PORT: "0",
        HOST: "127.0.0.1",
        ...apiEnv,
      });
      processes.add(api);
      api.exited.then(() => processes.delete(api));
      const [, port] = await api.waitFor(/KILN_API_LISTENING port=(\d+)/, 60_000);
      return { process: api, baseUrl: `http://127.0.0.1:${port}` };
    },

    async close() {
      await Promise.all([...processes].map((child) => child.stop("SIGKILL")));
      await Promise.all([...servers].map((server) => server.close()));
      await Promise.all([...workers].map((worker) => worker.close()));
      await Promise.all([...instances].map((instance) => instance.close()));
      await built.close();
      await deleteRedisKeys(redis, `${prefix}:*`);
      redis.disconnect();
      // Emptied and kept for the next harness of this process: cheaper than a drop and a new copy.
      await database.release();
      await rm(storageDir, { recursive: true, force: true });
    },
  };
  return harness;
};

export type TestHarness = Awaited<ReturnType<typeof createTestHarness>>;
