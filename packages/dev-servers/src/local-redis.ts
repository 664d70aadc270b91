import { connect } from "node:net";
import { findExecutable, isExecutable } from "./find-executable.ts";
import { type ServerProcess, spawnServerProcess, waitUntilReady } from "./server-process.ts";

/** Names of a Redis-compatible server binary, in order of preference. */
const serverNames = ["redis-server", "valkey-server"];
/** Where package managers put it when PATH does not say (Homebrew, Debian's sbin-less PATH). */
export const wellKnownRedisDirs: readonly string[] = [
  "/opt/homebrew/bin",
  "/usr/local/bin",
  "/usr/bin",
  "/usr/sbin",
];

export interface FindRedisServerOptions {
  /** A binary given by the user: it alone is tried. */
  explicitPath?: string;
  /** The PATH to search. */
  searchPath: string;
  /** Searched after PATH. Default: `wellKnownRedisDirs`. */
  moreDirs?: readonly string[];
}

/** The first `redis-server` (or `valkey-server`) on PATH or in the usual folders; undefined when none. */
export const findRedisServer = async (options: FindRedisServerOptions): Promise<string | undefined> => {
  if (options.explicitPath)
    return (await isExecutable(options.explicitPath)) ? options.explicitPath : undefined;
  for (const name of serverNames) {
    const found = await findExecutable(name, options.searchPath, options.moreDirs ?? wellKnownRedisDirs);
    if (found) return found;
  }
  return undefined;
};

/** The one command that gets a Redis answering on `port`, per platform, for when none can be had. */
export const redisInstallHint = (port: number): string =>
  [
    "  Debian/Ubuntu:  sudo apt-get install redis-server",
    "  macOS:          brew install redis",
    `  Docker:         docker run -d -p ${port}:6379 redis:7`,
  ].join("\n");

/** True when Redis answers PING (not merely accepts the connection while it loads). */
export const redisAnswersPing = (host: string, port: number, timeoutMs = 1_000): Promise<boolean> =>
  new Promise((resolve) => {
    const socket = connect({ host, port });
    let reply = "";
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once("error", () => done(false));
    socket.once("connect", () => socket.write("PING\r\n"));
    socket.on("data", (chunk: Buffer) => {
      reply += chunk.toString("utf8");
      if (reply.includes("\r\n")) done(reply.startsWith("+PONG"));
    });
  });

export interface LocalRedisOptions {
  executable: string;
  port: number;
  logFile: string;
  /** Bounds start-up. Default: 30000. */
  startTimeoutMs?: number;
  signal?: AbortSignal;
}

export interface LocalRedis {
  server: ServerProcess;
  url: string;
  stop(): Promise<void>;
}

/**
 * Runs the machine's redis-server on 127.0.0.1:`port`, in memory only: PostgreSQL holds every job,
 * and the worker's reconciler enqueues again what a restarted Redis no longer has.
 */
export const startLocalRedis = async (options: LocalRedisOptions): Promise<LocalRedis> => {
  const server = await spawnServerProcess({
    command: options.executable,
    args: ["--port", String(options.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
    logFile: options.logFile,
  });
  // SIGTERM: Redis shuts down at once (with nothing to save).
  const stop = () => server.stop("SIGTERM", 10_000);
  try {
    await waitUntilReady(server, () => redisAnswersPing("127.0.0.1", options.port), {
      what: `Redis (${options.executable})`,
      timeoutMs: options.startTimeoutMs ?? 30_000,
      signal: options.signal,
    });
  } catch (error) {
    await stop();
    throw error;
  }
  return { server, url: `redis://127.0.0.1:${options.port}`, stop };
};
