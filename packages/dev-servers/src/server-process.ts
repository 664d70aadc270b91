import { type ChildProcess, spawn } from "node:child_process";
import { closeSync, openSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { DevServerError } from "./dev-server-error.ts";

export interface ServerProcessOptions {
  command: string;
  args: string[];
  /** Everything the server prints goes here (appended), so the terminal stays readable. */
  logFile: string;
  /** Run as this user and group (PostgreSQL refuses to run as root). Default: the current user. */
  user?: { uid: number; gid: number };
  env?: NodeJS.ProcessEnv;
}

/** A development server run by `npm start`: its own process group, stopped by us, never by the terminal. */
export interface ServerProcess {
  readonly pid: number;
  readonly logFile: string;
  /** Settles when the process has exited (never rejects). */
  readonly exited: Promise<void>;
  hasExited(): boolean;
  /** Sends `signal`, waits for the exit; SIGKILL after `graceMs`. */
  stop(signal: NodeJS.Signals, graceMs: number): Promise<void>;
  /** Last resort from a synchronous `exit` handler: SIGKILL, no waiting. */
  killNow(): void;
}

/**
 * Starts a server in its own process group: Ctrl-C in the terminal reaches `npm start`, the API and
 * the worker, but not the servers, which are stopped only once the API and the worker are gone.
 */
export const spawnServerProcess = (options: ServerProcessOptions): Promise<ServerProcess> =>
  new Promise((resolve, reject) => {
    const log = openSync(options.logFile, "a");
    const child: ChildProcess = spawn(options.command, options.args, {
      detached: true,
      stdio: ["ignore", log, log],
      env: options.env ?? process.env,
      uid: options.user?.uid,
      gid: options.user?.gid,
    });
    // The child holds its own copy of the log's descriptor.
    closeSync(log);
    child.once("error", reject);
    child.once("spawn", () => {
      const pid = child.pid;
      if (pid === undefined) return reject(new Error(`${options.command} did not start`));
      let gone = false;
      const exited = new Promise<void>((done) =>
        child.once("exit", () => {
          gone = true;
          done();
        }),
      );
      resolve({
        pid,
        logFile: options.logFile,
        exited,
        hasExited: () => gone,
        async stop(signal, graceMs) {
          if (gone) return;
          child.kill(signal);
          const forced = setTimeout(() => child.kill("SIGKILL"), graceMs);
          await exited;
          clearTimeout(forced);
        },
        killNow() {
          if (!gone) child.kill("SIGKILL");
        },
      });
    });
  });

/** The end of a server's log, for an error message when it did not come up. */
export const logTail = async (logFile: string, lines = 15): Promise<string> => {
  const text = await readFile(logFile, "utf8").catch(() => "");
  return text.trimEnd().split("\n").slice(-lines).join("\n");
};

/**
 * Polls `isReady` until it answers true; fails when the process exits first, `timeoutMs` passes or
 * `signal` aborts. Asking the server is the one readiness signal that reads the same in every locale.
 */
export const waitUntilReady = async (
  server: ServerProcess,
  isReady: () => Promise<boolean>,
  { what, timeoutMs, signal }: { what: string; timeoutMs: number; signal?: AbortSignal },
): Promise<void> => {
  const deadline = Date.now() + timeoutMs;
  while (!(await isReady())) {
    signal?.throwIfAborted();
    if (server.hasExited()) {
      throw new DevServerError(
        `${what} exited while starting; the end of ${server.logFile}:\n${await logTail(server.logFile)}`,
      );
    }
    if (Date.now() > deadline) {
      throw new DevServerError(`${what} did not answer within ${timeoutMs} ms; see ${server.logFile}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
};
