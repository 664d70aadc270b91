import { spawn } from "node:child_process";
import { closeSync, openSync } from "node:fs";
import { DevServerError } from "./dev-server-error.ts";
import { logTail } from "./server-process.ts";

/** Runs a one-shot command (initdb) with its output appended to `logFile`; fails with the log's end. */
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
    const log = openSync(options.logFile, "a");
    const child = spawn(command, args, {
      stdio: ["ignore", log, log],
      env: options.env ?? process.env,
      uid: options.user?.uid,
      gid: options.user?.gid,
      signal: options.signal,
    });
    closeSync(log);
    child.once("error", reject);
    child.once("exit", (code, signal) => {
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
