import { execFile, spawn } from "node:child_process";
import { closeSync, openSync } from "node:fs";
import { mkdir, readFile, rm, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import type { BuildRedisRequest, BuildRedisResult } from "./build-redis-child.ts";
import { DevServerError } from "./dev-server-error.ts";
import { findExecutable } from "./find-executable.ts";

/** redis-memory-server's name for the latest stable release (download.redis.io/redis-stable.tar.gz). */
const version = "stable";

export interface BuildRedisOptions {
  /** Where the source is downloaded and the binary kept (`<cacheDir>/stable/redis-server`), with the build's log. */
  cacheDir: string;
  /** PATH for make and the C compiler. */
  searchPath: string;
  report: (line: string) => void;
  /** A download that receives nothing for this long fails, connecting included. Default: 30000. */
  downloadIdleTimeoutMs?: number;
  /** Bounds the whole download and build; past it, they are killed. Default: 900000 (15 minutes). */
  timeoutMs?: number;
  /** Aborting kills the download and the build. */
  signal?: AbortSignal;
}

export interface BuiltRedis {
  executable: string;
  /** This call built it (false: the binary was already in the cache). */
  built: boolean;
}

/** `redis-server --version` answers "Redis server v=7.2.4 ..."; undefined when the binary does not run. */
const versionOf = async (executable: string): Promise<string | undefined> => {
  try {
    const { stdout } = await promisify(execFile)(executable, ["--version"], { timeout: 5_000 });
    return stdout.match(/v=(\S+)/)?.[1];
  } catch {
    return undefined;
  }
};

const isAlive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
};

/** One build per cache at a time; a lock whose process is gone (killed mid-build) is taken over. */
const lockBuild = async (lockFile: string): Promise<() => Promise<void>> => {
  const take = () => writeFile(lockFile, String(process.pid), { flag: "wx" });
  try {
    await take();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    const holder = Number(await readFile(lockFile, "utf8").catch(() => ""));
    if (Number.isInteger(holder) && holder > 0 && isAlive(holder)) {
      throw new DevServerError(
        `another npm start (pid ${holder}) is building Redis; let it finish, then try again`,
      );
    }
    await rm(lockFile, { force: true });
    await take();
  }
  return () => rm(lockFile, { force: true });
};

/** Runs build-redis-child.ts in its own process group, so that a deadline or Ctrl-C kills make and the compilers too. */
const runBuildProcess = (
  request: BuildRedisRequest,
  options: { logFile: string; searchPath: string; timeoutMs: number; signal?: AbortSignal },
): Promise<BuildRedisResult> =>
  new Promise((settle, reject) => {
    options.signal?.throwIfAborted();
    const log = openSync(options.logFile, "a");
    const child = spawn(
      process.execPath,
      [
        "--import",
        "tsx",
        fileURLToPath(new URL("./build-redis-child.ts", import.meta.url)),
        JSON.stringify(request),
      ],
      {
        detached: true,
        stdio: ["ignore", log, log, "ipc"],
        env: { ...process.env, PATH: options.searchPath },
        // Where `--import tsx` is resolved from, whatever the caller's folder.
        cwd: fileURLToPath(new URL("..", import.meta.url)),
      },
    );
    closeSync(log);
    let result: BuildRedisResult | undefined;
    let stoppedBecause: string | undefined;
    const killGroup = (why: string) => {
      stoppedBecause ??= why;
      if (child.pid === undefined) return;
      try {
        process.kill(-child.pid, "SIGKILL");
      } catch {
        // Nothing left in the group.
      }
    };
    const deadline = setTimeout(
      () => killGroup(`the download and build took longer than ${Math.round(options.timeoutMs / 1000)} s`),
      options.timeoutMs,
    );
    const abort = () => killGroup("interrupted");
    options.signal?.addEventListener("abort", abort, { once: true });
    child.on("message", (message: BuildRedisResult) => {
      result = message;
    });
    child.once("error", (error) => {
      clearTimeout(deadline);
      reject(error);
    });
    child.once("exit", (code, signal) => {
      clearTimeout(deadline);
      options.signal?.removeEventListener("abort", abort);
      // The build's own make and compilers, should the child have died before them.
      killGroup("done");
      if (options.signal?.aborted) return reject(options.signal.reason);
      if (stoppedBecause && stoppedBecause !== "done") return settle({ ok: false, reason: stoppedBecause });
      settle(
        result ?? {
          ok: false,
          reason: `the build process ended (${signal ?? `exit ${code}`}) without a result`,
        },
      );
    });
  });

/**
 * A redis-server built from source by redis-memory-server (download, make), kept in `cacheDir`:
 * for `npm start` on a machine without one. The cached binary is used when it runs; else make and a C
 * compiler must be on `searchPath` and download.redis.io reachable. Fails with a one-line reason.
 */
export const buildRedisServer = async (options: BuildRedisOptions): Promise<BuiltRedis> => {
  const cacheDir = resolve(options.cacheDir);
  const cached = join(cacheDir, version, "redis-server");
  if (await versionOf(cached)) return { executable: cached, built: false };

  const missing = [
    (await findExecutable("make", options.searchPath)) ? [] : "make",
    (await findExecutable("cc", options.searchPath)) ? [] : "a C compiler (cc)",
  ].flat();
  if (missing.length > 0) throw new DevServerError(`building Redis needs ${missing.join(" and ")} on PATH`);

  await mkdir(cacheDir, { recursive: true });
  const unlock = await lockBuild(join(cacheDir, "build.lock"));
  try {
    // A binary that does not run (a copy cut short) would be taken for a finished build.
    await rm(cached, { force: true });
    const logFile = join(cacheDir, "build.log");
    options.report(
      `Redis: no redis-server on this machine: downloading the Redis source and building it (a minute or two, the first time only; kept in ${cacheDir}, log ${logFile})`,
    );
    const startedAt = performance.now();
    const result = await runBuildProcess(
      { downloadDir: cacheDir, version, downloadIdleTimeoutMs: options.downloadIdleTimeoutMs ?? 30_000 },
      {
        logFile,
        searchPath: options.searchPath,
        timeoutMs: options.timeoutMs ?? 900_000,
        signal: options.signal,
      },
    );
    if (!result.ok) throw new DevServerError(`${result.reason} (log ${logFile})`);
    const built = await versionOf(result.executable);
    if (!built) throw new DevServerError(`the built ${result.executable} does not run (log ${logFile})`);
    const seconds = ((performance.now() - startedAt) / 1000).toFixed(0);
    options.report(`Redis: built redis-server ${built} in ${seconds} s`);
    return { executable: result.executable, built: true };
  } finally {
    await unlock();
  }
};
