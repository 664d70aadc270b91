import { readdir, readFile } from "node:fs/promises";
import { getPriority, setPriority } from "node:os";

/**
 * Environment variable set on every browser the pool launches. Chromium's helper processes
 * (zygotes, renderers, GPU, network service) inherit the environment but not unknown
 * switches, so this is how we find a whole browser's process tree — to kill a browser that
 * no longer answers, and in tests to crash one or prove none was left behind.
 */
export const browserMarkerVariable = "KILN_CHROMIUM_BROWSER";

export interface ChromiumProcess {
  pid: number;
  /** The marker value (`<poolId>/<launch number>`). */
  marker: string;
  /** The main browser process: the one Playwright drives over `--remote-debugging-pipe`. */
  isBrowser: boolean;
}

const readText = (path: string): Promise<string | undefined> =>
  readFile(path, "latin1").catch(() => undefined);

/**
 * Live (non-zombie) processes whose marker starts with `markerPrefix`. Linux only (reads
 * /proc); elsewhere it finds nothing, and a hung browser is left to Playwright's own kill.
 */
export const findChromiumProcesses = async (markerPrefix: string): Promise<ChromiumProcess[]> => {
  const entries = await readdir("/proc").catch(() => [] as string[]);
  const needle = `${browserMarkerVariable}=${markerPrefix}`;
  const found: ChromiumProcess[] = [];
  await Promise.all(
    entries
      .filter((entry) => /^\d+$/.test(entry))
      .map(async (entry) => {
        const environ = await readText(`/proc/${entry}/environ`);
        const variable = environ?.split("\0").find((line) => line.startsWith(needle));
        if (!variable) return;
        const stat = await readText(`/proc/${entry}/stat`);
        // The state follows the parenthesised command name; a zombie is already dead.
        if (!stat || /\)\s+Z\s/.test(stat)) return;
        const cmdline = (await readText(`/proc/${entry}/cmdline`)) ?? "";
        found.push({
          pid: Number(entry),
          marker: variable.slice(browserMarkerVariable.length + 1),
          isBrowser: cmdline.split("\0").includes("--remote-debugging-pipe"),
        });
      }),
  );
  return found;
};

/** SIGKILLs every live process of the given marker prefix; returns how many it signalled. */
export const killChromiumProcesses = async (markerPrefix: string): Promise<number> => {
  const processes = await findChromiumProcesses(markerPrefix);
  for (const { pid } of processes) {
    try {
      process.kill(pid, "SIGKILL");
    } catch {
      // Already gone between the scan and the kill: that is the outcome we wanted.
    }
  }
  return processes.length;
};

/** How much less CPU priority a browser gets than the worker (as render threads, run-render-task.ts). */
const browserNiceness = 10;

/**
 * Lowers the CPU priority of a just-launched browser's processes, so that printing yields the
 * cores to the worker's own loop (locks, cancels, metrics) as render threads do. The zygotes are
 * among them, and every renderer process forked later inherits their priority. Best effort:
 * where it is not permitted, the browser keeps the worker's priority.
 */
export const yieldToWorkerLoop = async (marker: string): Promise<void> => {
  if (process.platform !== "linux") return;
  const niceness = Math.min(19, getPriority() + browserNiceness);
  for (const { pid } of await findChromiumProcesses(marker)) {
    try {
      setPriority(pid, niceness);
    } catch {
      // Gone already, or not permitted.
    }
  }
};
