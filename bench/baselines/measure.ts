import { readdirSync, readFileSync } from "node:fs";
import { loadavg } from "node:os";
import { percentile, round } from "../stats.ts";

/** The machine's 1-minute load average, reported beside every figure (the machine is shared). */
export const load = () => round(loadavg()[0] ?? 0, 2);

/** p50 / p99 of a sample of milliseconds, rounded. */
export const latencyOf = (ms: number[]) => ({
  p50Ms: round(percentile(ms, 50), 2),
  p99Ms: round(percentile(ms, 99), 2),
});

/** `kiln / raw`, or `raw / kiln` for latencies (higher is better either way). */
export const ratio = (better: number, worse: number) => round(better / worse, 3);

/** Counts `task`'s runs, `inFlight` at a time, for `seconds`; each run's latency in ms. */
export const loopFor = async (seconds: number, inFlight: number, task: () => Promise<void>) => {
  const latencies: number[] = [];
  const started = performance.now();
  const until = started + seconds * 1000;
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      while (performance.now() < until) {
        const t = performance.now();
        await task();
        latencies.push(performance.now() - t);
      }
    }),
  );
  const elapsedS = (performance.now() - started) / 1000;
  return { count: latencies.length, perSecond: round(latencies.length / elapsedS), latencies };
};

/** Polls `count` until it reaches `total`; the rate between the first progress seen and the end. */
export const drainRate = async (total: number, count: () => Promise<number>, timeoutMs = 600_000) => {
  const deadline = performance.now() + timeoutMs;
  let first: { at: number; done: number } | undefined;
  for (;;) {
    const done = await count();
    const at = performance.now();
    if (done > 0 && !first) first = { at, done };
    if (done >= total && first) {
      const seconds = (at - first.at) / 1000;
      return round(seconds > 0 ? (done - first.done) / seconds : Number.NaN);
    }
    if (at > deadline) throw new Error(`drained ${done} of ${total} within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
};

/**
 * CPU time (user + system, ms) a process has used so far, from /proc (Linux); `undefined`
 * elsewhere. Per request, it is the figure the load of a shared machine changes least.
 */
export const cpuMsOf = (pid: number | undefined): number | undefined => {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
    // utime and stime are the 12th and 13th fields after the command name, in clock ticks (100/s).
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return undefined;
  }
};

/** CPU time (ms) used so far by each live process whose command name is `name`, by pid. */
export const cpuMsByPid = (name: string): Map<string, number> => {
  const byPid = new Map<string, number>();
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      if (stat.slice(stat.indexOf("(") + 1, stat.lastIndexOf(")")) !== name) continue;
      const fields = stat.slice(stat.lastIndexOf(") ") + 2).split(" ");
      byPid.set(entry, (Number(fields[11]) + Number(fields[12])) * 10);
    } catch {
      // Gone between the listing and the read.
    }
  }
  return byPid;
};

/**
 * CPU (ms) the processes named `name` used since `before` (`postgres` backends, `redis-server`):
 * new processes count whole, exited ones not at all (a backend that exits mid-round is missed).
 */
const cpuMsSince = (name: string, before: Map<string, number>): number => {
  let total = 0;
  for (const [pid, ms] of cpuMsByPid(name)) total += ms - (before.get(pid) ?? 0);
  return total;
};

/** CPU per request of PostgreSQL, Redis and this process while `task` runs, in ms. */
export const serviceCpuDuring = async <T>(task: () => Promise<T>, requests: (result: T) => number) => {
  const before = {
    pg: cpuMsByPid("postgres"),
    redis: cpuMsByPid("redis-server"),
    self: process.cpuUsage(),
  };
  const result = await task();
  const self = process.cpuUsage(before.self);
  const count = requests(result);
  const per = (ms: number) => round(ms / count, 3);
  return {
    result,
    cpuMsPerRequest: {
      postgres: per(cpuMsSince("postgres", before.pg)),
      redis: per(cpuMsSince("redis-server", before.redis)),
      client: per((self.user + self.system) / 1000),
    },
  };
};
