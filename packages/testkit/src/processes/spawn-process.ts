import { type ChildProcess, spawn } from "node:child_process";
import { bundleFor } from "./bundle-entries.ts";
import { repoRoot } from "./repo-root.ts";

export { repoRoot };

export interface SpawnedProcess {
  child: ChildProcess;
  /** Everything it printed so far (stdout and stderr). */
  output(): string;
  /** Resolves with the first stdout line matching `pattern`. */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<RegExpMatchArray>;
  /** Sends a signal and waits for the exit. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
  exited: Promise<number | null>;
}

/**
 * Starts a real Kiln process from the repo root the way an operator would: through tsx, or from the
 * bundle the test run made of its entry (`bundleProcessEntries`), which skips tsx's compiling.
 */
export const spawnKilnProcess = (
  entry: string,
  env: Record<string, string | undefined>,
  args: string[] = [],
  /**
   * `processGroup`: leads its own process group, as a terminal's foreground job does (Ctrl-C reaches
   * the group). `nodeArgs`: Node's own flags, e.g. `--cpu-prof` (not allowed in `NODE_OPTIONS`).
   */
  { processGroup = false, nodeArgs = [] }: { processGroup?: boolean; nodeArgs?: string[] } = {},
): SpawnedProcess => {
  const bundle = bundleFor(entry);
  const loader = bundle ? [bundle] : ["--import", "tsx", entry];
  const child = spawn(process.execPath, [...nodeArgs, ...loader, ...args], {
    cwd: repoRoot,
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "pipe"],
    detached: processGroup,
  });
  let output = "";
  const watchers = new Set<() => void>();
  const onData = (chunk: Buffer) => {
    output += chunk.toString("utf8");
    for (const watcher of watchers) watcher();
  };
  child.stdout?.on("data", onData);
  child.stderr?.on("data", onData);
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));

  return {
    child,
    exited,
    output: () => output,
    waitFor(pattern, timeoutMs = 30_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const match = output.match(pattern);
          if (!match) return;
          cleanup();
          resolve(match);
        };
        const timer = setTimeout(() => {
          cleanup();
          reject(new Error(`timed out waiting for ${pattern} in:\n${output.slice(-3000)}`));
        }, timeoutMs);
        const onExit = () => {
          cleanup();
          reject(new Error(`process exited before printing ${pattern}:\n${output.slice(-3000)}`));
        };
        const cleanup = () => {
          clearTimeout(timer);
          watchers.delete(check);
          child.off("exit", onExit);
        };
        watchers.add(check);
        child.once("exit", onExit);
        check();
      });
    },
    async stop(signal = "SIGTERM") {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
};
