import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { describeRedisUrl } from "@kiln/core/redis-url";
import { buildRedisServer } from "./build-redis.ts";
import { DevServerError } from "./dev-server-error.ts";
import { startEmbeddedPostgres } from "./embedded-postgres.ts";
import { findRedisServer, redisInstallHint, startLocalRedis } from "./local-redis.ts";
import { portAnswers } from "./port-answers.ts";
import type { ServerProcess } from "./server-process.ts";

export interface DevServersOptions {
  /** DATABASE_URL when set: used as is, nothing is started. */
  databaseUrl?: string;
  /** REDIS_URL when set: used as is, nothing is started. */
  redisUrl?: string;
  /** NODE_ENV=production: never start a server, only say which URL to set. */
  production: boolean;
  /** Kiln's development data (KILN_DATA_DIR): PostgreSQL's cluster in `postgres/`, the servers' logs. */
  dataDir: string;
  /** Where PostgreSQL is looked for, and the embedded one listens, when DATABASE_URL is unset. */
  postgresPort: number;
  /** Where Redis is looked for, and the local one listens, when REDIS_URL is unset. */
  redisPort: number;
  /** A redis-server binary to run instead of searching `searchPath`. */
  redisServerPath?: string;
  /** PATH, searched for redis-server (and for make and cc when building one). */
  searchPath: string;
  /** Searched for redis-server after PATH. Default: Homebrew's and the system's bin folders. */
  redisSearchDirs?: readonly string[];
  /**
   * With no redis-server on the machine, download the Redis source and build it with make, kept in
   * `dataDir/redis-build` (KILN_DEV_REDIS_BUILD). Never when `redisServerPath` is given. Default: true.
   */
  buildRedis?: boolean;
  /** Bounds of that download and build: `downloadIdleMs` default 30000, `totalMs` default 900000. */
  redisBuildTimeouts?: { downloadIdleMs?: number; totalMs?: number };
  /** Receives one line per decision, for the terminal. */
  report: (line: string) => void;
  /** Aborting stops whatever is starting. */
  signal?: AbortSignal;
}

export interface DevServers {
  databaseUrl: string;
  redisUrl: string;
  /** The servers this call started (none when both were given or already running). */
  started: { name: "postgres" | "redis"; pid: number }[];
  /** Stops the servers this call started and waits for their exit. */
  stop(): Promise<void>;
  /** For a synchronous `exit` handler: SIGKILLs the servers this call started. */
  killNow(): void;
}

type PostgresPlan = { kind: "use"; url: string; line: string } | { kind: "embedded" };
type RedisPlan = { kind: "use"; url: string; line: string } | { kind: "local"; executable: string };

const loopback = "127.0.0.1";

/** host:port/path of a URL, never its password. */
const describeUrl = (url: string) => {
  try {
    const parsed = new URL(url);
    return `${parsed.hostname}:${parsed.port}${parsed.pathname === "/" ? "" : parsed.pathname}`;
  } catch {
    return "(not a valid URL)";
  }
};

const planPostgres = async (options: DevServersOptions): Promise<PostgresPlan | string> => {
  if (options.databaseUrl) {
    return {
      kind: "use",
      url: options.databaseUrl,
      line: `using DATABASE_URL (${describeUrl(options.databaseUrl)})`,
    };
  }
  const url = `postgresql://postgres@${loopback}:${options.postgresPort}/kiln`;
  const where = `${loopback}:${options.postgresPort}`;
  if (await portAnswers(loopback, options.postgresPort)) {
    return { kind: "use", url, line: `using the server on ${where} (DATABASE_URL is unset)` };
  }
  if (options.production) {
    return `DATABASE_URL is unset and nothing answers on ${where}; NODE_ENV=production never starts an embedded server: set DATABASE_URL`;
  }
  return { kind: "embedded" };
};

const planRedis = async (options: DevServersOptions): Promise<RedisPlan | string> => {
  if (options.redisUrl) {
    return {
      kind: "use",
      url: options.redisUrl,
      line: `using REDIS_URL (${describeRedisUrl(options.redisUrl)})`,
    };
  }
  const url = `redis://${loopback}:${options.redisPort}`;
  const where = `${loopback}:${options.redisPort}`;
  if (await portAnswers(loopback, options.redisPort)) {
    return { kind: "use", url, line: `using the server on ${where} (REDIS_URL is unset)` };
  }
  if (options.production) {
    return `REDIS_URL is unset and nothing answers on ${where}; NODE_ENV=production never starts a local server: set REDIS_URL`;
  }
  const executable = await findRedisServer({
    explicitPath: options.redisServerPath,
    searchPath: options.searchPath,
    moreDirs: options.redisSearchDirs,
  });
  if (executable) return { kind: "local", executable };
  const looked = options.redisServerPath
    ? `KILN_DEV_REDIS_SERVER=${options.redisServerPath} is not an executable file`
    : "no redis-server was found on PATH";
  let buildFailure = "";
  // A binary the user named and mistyped is not silently replaced by another.
  if (!options.redisServerPath && (options.buildRedis ?? true)) {
    try {
      const built = await buildRedisServer({
        cacheDir: join(options.dataDir, "redis-build"),
        searchPath: options.searchPath,
        report: options.report,
        downloadIdleTimeoutMs: options.redisBuildTimeouts?.downloadIdleMs,
        timeoutMs: options.redisBuildTimeouts?.totalMs,
        signal: options.signal,
      });
      return { kind: "local", executable: built.executable };
    } catch (error) {
      if (!(error instanceof DevServerError) || options.signal?.aborted) throw error;
      buildFailure = `\nBuilding one from source failed: ${error.message}\n`;
    }
  }
  return `REDIS_URL is unset, nothing answers on ${where} and ${looked}.${buildFailure || " "}Get one with:\n${redisInstallHint(options.redisPort)}\nthen run npm start again (or set REDIS_URL to a Redis you have).`;
};

/** A server Kiln can use: its URL, the line that says where it comes from, and how to stop it when we started it. */
interface ReadyServer {
  url: string;
  line: string;
  started?: { name: "postgres" | "redis"; server: ServerProcess; stop(): Promise<void> };
}

const readyPostgres = async (plan: PostgresPlan, options: DevServersOptions): Promise<ReadyServer> => {
  if (plan.kind === "use") return { url: plan.url, line: `PostgreSQL: ${plan.line}` };
  const dataDir = join(options.dataDir, "postgres");
  const logFile = join(options.dataDir, "postgres.log");
  const embedded = await startEmbeddedPostgres({
    dataDir,
    port: options.postgresPort,
    logFile,
    signal: options.signal,
  });
  const data = embedded.initialised ? "a new cluster in" : "data kept in";
  return {
    url: embedded.urlOf("kiln"),
    line: `PostgreSQL: started an embedded server on ${loopback}:${options.postgresPort} (pid ${embedded.server.pid}), ${data} ${dataDir}, log ${logFile}`,
    started: { name: "postgres", ...embedded },
  };
};

const readyRedis = async (plan: RedisPlan, options: DevServersOptions): Promise<ReadyServer> => {
  if (plan.kind === "use") return { url: plan.url, line: `Redis: ${plan.line}` };
  const logFile = join(options.dataDir, "redis.log");
  const local = await startLocalRedis({
    executable: plan.executable,
    port: options.redisPort,
    logFile,
    signal: options.signal,
  });
  return {
    url: local.url,
    line: `Redis: started ${plan.executable} on ${loopback}:${options.redisPort} (pid ${local.server.pid}), in memory only, log ${logFile}`,
    started: { name: "redis", ...local },
  };
};

/**
 * The PostgreSQL and Redis of `npm start`: the URLs when given, else whatever answers on the default
 * ports, else (outside production) an embedded PostgreSQL kept in `dataDir` and the machine's
 * redis-server in memory (or one built from source, see `buildRedis`). Decides both before starting
 * either, so a missing Redis starts nothing.
 */
export const startDevServers = async (options: DevServersOptions): Promise<DevServers> => {
  const [postgresPlan, redisPlan] = await Promise.all([planPostgres(options), planRedis(options)]);
  if (typeof postgresPlan === "string" || typeof redisPlan === "string") {
    const problems = [
      typeof postgresPlan === "string" ? `PostgreSQL: ${postgresPlan}` : [],
      typeof redisPlan === "string" ? `Redis: ${redisPlan}` : [],
    ].flat();
    throw new DevServerError(problems.join("\n"));
  }

  if (postgresPlan.kind === "embedded" || redisPlan.kind === "local") {
    await mkdir(options.dataDir, { recursive: true });
  }
  const [postgres, redis] = await Promise.allSettled([
    readyPostgres(postgresPlan, options),
    readyRedis(redisPlan, options),
  ]);
  const started = [postgres, redis].flatMap((result) =>
    result.status === "fulfilled" && result.value.started ? [result.value.started] : [],
  );
  const stop = async () => {
    await Promise.all(started.map((server) => server.stop()));
  };
  if (postgres.status === "rejected" || redis.status === "rejected") {
    // One came up, the other did not: stop the one, report the other.
    await stop();
    throw postgres.status === "rejected"
      ? postgres.reason
      : redis.status === "rejected"
        ? redis.reason
        : undefined;
  }

  options.report(postgres.value.line);
  options.report(redis.value.line);
  return {
    databaseUrl: postgres.value.url,
    redisUrl: redis.value.url,
    started: started.map(({ name, server }) => ({ name, pid: server.pid })),
    stop,
    killNow: () => {
      for (const { server } of started) server.killNow();
    },
  };
};
