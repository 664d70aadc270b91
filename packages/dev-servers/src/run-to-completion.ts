import { spawn } from "node:child_process";
import { closeSync, openSync } from "node:fs";
import { DevServerError } from "./dev-server-error.ts";
import { logTail } from "./server-process.ts";

/**
 * Runs a one-shot command (initdb) with its output appended to `logFile`; fails with the log's end.
 * Aborting `signal` sends SIGTERM and settles only once the command has exited (initdb removes its
 * half-made folder first), so nothing outlives a Ctrl-C.
 */
export const runToCompletion = (
  command: string,
  args: string[],
  options: {
    logFile: string;
    user?: { uid: number; gid: number };
    env?: NodeJS.ProcessEnv;
    signal?: AbortSignal;
  },
): Promise<void> =>
  new Promise((resolve, reject) => {
    options.signal?.throwIfAborted();
    const log = openSync(options.logFile, "a");
    const child = spawn(command, args, {
      stdio: ["ignore", log, log],
      env: options.env ?? process.env,
      uid: options.user?.uid,
      gid: options.user?.gid,
    });
    closeSync(log);
    const abort = () => child.kill("SIGTERM");
    options.signal?.addEventListener("abort", abort, { once: true });
    child.once("error", reject);
    child.once("exit", (code, signal) => {
      options.signal?.removeEventListener("abort", abort);
      if (options.signal?.aborted) return reject(options.signal.reason);
      if (code === 0) return resolve();
      void logTail(options.logFile).then((tail) =>
        reject(
          new DevServerError(
            `${command} failed (${signal ?? `exit ${code}`}); the end of ${options.logFile}:\n${tail}`,
          ),
        ),
      );
    });
  });
