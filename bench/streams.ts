// SSE fan-out, side by side: a bare `node:http` broadcast server (bench/streams/bare-sse-server.ts)
// and Kiln's company stream (`GET /api/companies/:companyId/events`) on ONE API process, each
// holding N streams opened by the same client (a few forked processes, bench/streams/sse-clients.ts)
// in one burst of connects. Per server and N:
//   - opened: streams whose response headers arrived (refusals, non-200s and timeouts are counted);
//   - a job's done event delivered to every stream: p50/p99 from its publish (the ms of its Redis
//     stream id, stamped by XADD next to PUBLISH; the bare server gets the same job's events with
//     ids stamped as it is published) to each client's read;
//   - RSS per idle stream: the server process's RSS with N idle streams minus before, over N.
//     npm run bench -- streams   (BENCH_STREAMS=1000,10000; BENCH_STREAM_CLIENTS=4; BENCH_STREAM_JOBS=5;
//     BENCH_STREAMS_API_NODE_ARGS: Node flags for the API process)
// Both servers hold their N streams at once; the jobs go to one then the other, in turn, so a
// machine whose load drifts (other work on it) weighs on both alike.
//   - of that RSS, V8's heap: pages committed and bytes in use per stream (`heapCommitted…`,
//     `heapUsed…`): the heap V8 grew for the burst and has not handed back shows here, not in what
//     a stream keeps.
// BENCH_STREAMS_PROFILE=<dir> runs both servers with `--cpu-prof` into that folder and writes heap
// snapshots there before their streams open and while they are idle; `retained` is then what the
// idle streams keep reachable, per stream (bench/streams/heap-retained.ts).
import { type ChildProcess, execFileSync, fork } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { mkdir, writeFile } from "node:fs/promises";
import { loadavg } from "node:os";
import { join } from "node:path";
import { roomyLimits } from "@kiln/api/testing/roomy-limits";
import { readSse, type SseEvent, spawnKilnProcess, waitUntil } from "@kiln/testkit";
import { Redis } from "ioredis";
import { startBenchKiln } from "./bench-kiln.ts";
import { percentile, round } from "./stats.ts";
import { retainedPerStream } from "./streams/heap-retained.ts";
import type { ClientCommand, DeliveryReport, OpenReport } from "./streams/sse-clients.ts";

const counts = (process.env.BENCH_STREAMS ?? "1000,10000").split(",").map(Number);
const clientProcesses = Number(process.env.BENCH_STREAM_CLIENTS ?? 4);
const redisUrl = process.env.BENCH_REDIS_URL ?? "redis://127.0.0.1:6379/12";
/** How long a burst of connects may take before the streams not yet open count as timed out. */
const openDeadlineMs = 60_000;
const deliveryDeadlineMs = 60_000;
/** Jobs per round on each server: every stream times each job's done event. */
const jobsPerRound = Number(process.env.BENCH_STREAM_JOBS ?? 5);
const profileDir = process.env.BENCH_STREAMS_PROFILE;
const profileArgs = profileDir
  ? [
      "--cpu-prof",
      `--cpu-prof-dir=${profileDir}`,
      "--heapsnapshot-signal=SIGUSR2",
      `--diagnostic-dir=${profileDir}`,
    ]
  : [];

/** Node's own flags for the API process, e.g. V8's heap sizes: `BENCH_STREAMS_API_NODE_ARGS="--max-semi-space-size=2"`. */
const apiNodeArgs = (process.env.BENCH_STREAMS_API_NODE_ARGS ?? "").split(" ").filter(Boolean);

const rssKiB = (pid: number) =>
  Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1]);
/** CPU time (user + system) a process has used, in ms. */
const cpuMs = (pid: number) => {
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
};
const load = () => loadavg().map((value) => round(value, 2));

/** RSS once it stops moving (two samples 500 ms apart within 1 %), at most 10 s. */
const settledRssKiB = async (pid: number) => {
  let previous = rssKiB(pid);
  for (let i = 0; i < 20; i++) {
    await new Promise((resolve) => setTimeout(resolve, 500));
    const current = rssKiB(pid);
    if (Math.abs(current - previous) <= previous * 0.01) return current;
    previous = current;
  }
  return previous;
};

/** Has a server write a heap snapshot (`--heapsnapshot-signal`) and waits until it is written. */
const heapSnapshot = async (pid: number, healthUrl: string) => {
  const snapshots = () => readdirSync(profileDir!).filter((name) => name.endsWith(".heapsnapshot"));
  const before = snapshots().length;
  process.kill(pid, "SIGUSR2");
  await waitUntil(() => snapshots().length > before, 120_000, "the heap snapshot");
  // The snapshot is written on the process's main thread: it answers again once it is done. (A
  // kept-alive connection may have timed out meanwhile: a fresh one each time.)
  await waitUntil(
    () =>
      fetch(healthUrl, { headers: { connection: "close" } }).then(
        () => true,
        () => false,
      ),
    120_000,
    "the server to answer after its heap snapshot",
  );
};

/**
 * What a server's idle streams keep reachable: heap snapshots (each taken after a full collection)
 * before the burst and once idle, compared (heap-retained.ts).
 */
const retainedByStreams = async (pid: number, healthUrl: string, opened: number) => {
  await heapSnapshot(pid, healthUrl);
  const [before, idle] = readdirSync(profileDir!)
    .filter((name) => name.endsWith(".heapsnapshot") && name.includes(`.${pid}.`))
    .sort()
    .slice(-2)
    .map((name) => join(profileDir!, name));
  const { retainedPerStreamKiB, largest } = retainedPerStream(before!, idle!, Math.max(1, opened), 5);
  return { perStreamKiB: retainedPerStreamKiB, largest };
};

/** Node raises its soft fd limit to the hard one at start; every server process needs one per stream. */
const checkFdLimit = (needed: number) => {
  const hard = execFileSync("sh", ["-c", "ulimit -Hn"], { encoding: "utf8" }).trim();
  if (hard !== "unlimited" && Number(hard) < needed)
    throw new Error(`the fd limit is ${hard}; ${needed} streams need more: raise it (ulimit -Hn, as root)`);
};

const startClients = async () => {
  const children = await Promise.all(
    Array.from({ length: clientProcesses }, async () => {
      const child = fork(new URL("./streams/sse-clients.ts", import.meta.url), [], {
        execArgv: ["--import", "tsx"],
        stdio: ["ignore", "inherit", "inherit", "ipc"],
      });
      await nextMessage(child, "ready");
      return child;
    }),
  );
  const ask = <T>(command: (index: number) => ClientCommand, type: string) =>
    Promise.all(
      children.map((child, index) => {
        const answer = nextMessage<T>(child, type);
        child.send(command(index));
        return answer;
      }),
    );
  const close = () => {
    for (const child of children) child.kill();
  };
  return { size: children.length, ask, close };
};

const nextMessage = <T>(child: ChildProcess, type: string) =>
  new Promise<T>((resolve, reject) => {
    const onMessage = (message: { type: string }) => {
      if (message.type !== type) return;
      child.off("message", onMessage);
      child.off("exit", onExit);
      resolve(message as T);
    };
    const onExit = () => reject(new Error(`a client process exited before answering ${type}`));
    child.on("message", onMessage);
    child.once("exit", onExit);
  });

interface Target {
  name: "bare" | "kiln";
  pid: number;
  url: string;
  headers: Record<string, string>;
  /** Publishes one job's events; the clients time its done event. */
  publishJob(): Promise<void>;
  openStreams(): Promise<number>;
  /** V8's heap: bytes committed (pages it holds) and bytes in use (live or not yet collected). */
  heap(): Promise<{ committed: number; used: number }>;
}

type Clients = Awaited<ReturnType<typeof startClients>>;

/** One burst of connects to a server: what opened, how fast, and its RSS before and once idle. */
const openBurst = async (target: Target, clients: Clients, streams: number) => {
  const loadBefore = load();
  const healthUrl = new URL("/healthz", target.url).href;
  if (profileDir) await heapSnapshot(target.pid, healthUrl);
  const rssBefore = await settledRssKiB(target.pid);
  const heapBefore = await target.heap();
  const cpuBefore = cpuMs(target.pid);
  const burstStart = performance.now();
  const share = (index: number) =>
    Math.floor(streams / clients.size) + (index < streams % clients.size ? 1 : 0);
  const opens = await clients.ask<OpenReport>(
    (index) => ({
      cmd: "open",
      url: target.url,
      headers: target.headers,
      count: share(index),
      deadlineMs: openDeadlineMs,
    }),
    "opened",
  );
  const burstMs = performance.now() - burstStart;
  const cpuOpenMs = cpuMs(target.pid) - cpuBefore;
  const opened = opens.reduce((total, report) => total + report.opened, 0);
  const failed: Record<string, number> = {};
  for (const report of opens)
    for (const [reason, count] of Object.entries(report.failed))
      failed[reason] = (failed[reason] ?? 0) + count;
  const openMs = opens.flatMap((report) => report.openMs);
  const rssIdle = await settledRssKiB(target.pid);
  const heapIdle = await target.heap();
  /** KiB grown over the streams opened. */
  const perStream = (kib: number) => round(kib / Math.max(1, opened), 2);
  const retained = profileDir ? await retainedByStreams(target.pid, healthUrl, opened) : undefined;
  return {
    streams,
    opened,
    failed,
    burstMs: round(burstMs),
    openP50Ms: round(percentile(openMs, 50)),
    openP99Ms: round(percentile(openMs, 99)),
    serverCpuOpenMs: round(cpuOpenMs),
    rssBeforeMiB: round(rssBefore / 1024),
    rssIdleMiB: round(rssIdle / 1024),
    rssPerStreamKiB: perStream(rssIdle - rssBefore),
    /** Of which V8's heap: pages committed, and bytes in use, not collected first. */
    heapCommittedPerStreamKiB: perStream((heapIdle.committed - heapBefore.committed) / 1024),
    heapUsedPerStreamKiB: perStream((heapIdle.used - heapBefore.used) / 1024),
    /** With BENCH_STREAMS_PROFILE: what the idle streams keep reachable (heap snapshots). */
    ...(retained && { retained }),
    loadBefore,
  };
};

/**
 * Publishes one job on a server and waits until each of its `opened` streams has read the job's
 * done event (the first done event id the clients had not seen yet). Resolves with the delays
 * from the event's publish (the ms of its id) to each read.
 */
const deliverJob = async (target: Target, clients: Clients, opened: number, seen: Set<string>) => {
  const cpuBefore = cpuMs(target.pid);
  await target.publishJob();
  let id: string | undefined;
  let times: number[] = [];
  const deadline = Date.now() + deliveryDeadlineMs;
  do {
    await new Promise((resolve) => setTimeout(resolve, 100));
    const reports = await clients.ask<DeliveryReport>(() => ({ cmd: "deliveries" }), "deliveries");
    const fresh = new Set(
      reports.flatMap((report) => Object.keys(report.byId)).filter((key) => !seen.has(key)),
    );
    if (fresh.size > 1)
      throw new Error(`${target.name}: the streams saw ${fresh.size} new done events, expected one`);
    [id] = fresh;
    times = reports.flatMap((report) => report.byId[id ?? ""] ?? []);
  } while (times.length < opened && Date.now() < deadline);
  if (id) seen.add(id);
  const publishedAt = Number(id?.split("-")[0]);
  return {
    delays: times.map((at) => at - publishedAt),
    delivered: times.length,
    cpuMs: cpuMs(target.pid) - cpuBefore,
  };
};

/**
 * N streams on each server, opened one burst after the other; then `jobsPerRound` jobs on each,
 * alternating bare and Kiln so that the machine's load drifts alike for both; then every stream
 * closed.
 */
const measureRound = async (targets: Target[], clients: Clients, streams: number) => {
  const opens: Awaited<ReturnType<typeof openBurst>>[] = [];
  for (const target of targets) opens.push(await openBurst(target, clients, streams));
  const seen = new Set<string>();
  const deliveries = targets.map(() => ({
    delays: [] as number[],
    delivered: Number.POSITIVE_INFINITY,
    cpuMs: 0,
  }));
  for (let job = 0; job < jobsPerRound; job++) {
    for (const [index, target] of targets.entries()) {
      const result = await deliverJob(target, clients, opens[index]!.opened, seen);
      const total = deliveries[index]!;
      total.delays.push(...result.delays);
      total.delivered = Math.min(total.delivered, result.delivered);
      total.cpuMs += result.cpuMs;
    }
  }
  await clients.ask(() => ({ cmd: "close" }), "closed");
  for (const target of targets)
    await waitUntil(async () => (await target.openStreams()) === 0, 60_000, `${target.name} streams closed`);
  return opens.map((open, index) => {
    const { delays, delivered, cpuMs: deliveryCpuMs } = deliveries[index]!;
    return {
      ...open,
      jobs: jobsPerRound,
      /** Streams that read every job's done event (the fewest over the jobs). */
      delivered,
      deliveryP50Ms: round(percentile(delays, 50)),
      deliveryP99Ms: round(percentile(delays, 99)),
      deliveryMaxMs: round(Math.max(...delays)),
      serverCpuPerJobMs: round(deliveryCpuMs / jobsPerRound),
      loadAfter: load(),
    };
  });
};

const startBare = async (sampleEvents: SseEvent[]) => {
  const channel = `kiln-bench-bare-${process.pid}`;
  const server = spawnKilnProcess(
    "bench/streams/bare-sse-server.ts",
    { BARE_REDIS_URL: redisUrl, BARE_CHANNEL: channel },
    [],
    { nodeArgs: profileArgs },
  );
  const [, port] = await server.waitFor(/BARE_SSE_LISTENING port=(\d+)/, 30_000);
  const publisher = new Redis(redisUrl);
  const target: Target = {
    name: "bare",
    pid: server.child.pid!,
    url: `http://127.0.0.1:${port}/events`,
    headers: {},
    async publishJob() {
      // Kiln's events of a real job, as its live channel carries them, ids stamped at publish.
      for (const [index, event] of sampleEvents.entries()) {
        const message = { id: `${Date.now()}-${index}`, type: event.event, data: JSON.stringify(event.data) };
        await publisher.publish(channel, JSON.stringify(message));
      }
    },
    openStreams: async () => Number(await (await fetch(`http://127.0.0.1:${port}/count`)).text()),
    async heap() {
      const memory = (await (await fetch(`http://127.0.0.1:${port}/memory`)).json()) as NodeJS.MemoryUsage;
      return { committed: memory.heapTotal, used: memory.heapUsed };
    },
  };
  return {
    target,
    async close() {
      publisher.disconnect();
      await server.stop("SIGTERM");
    },
  };
};

const startKiln = async () => {
  const kiln = await startBenchKiln({
    apiEnv: { ...roomyLimits, KILN_LIMIT_MAX_OPEN_STREAMS: "1000000" },
    nodeArgs: [...profileArgs, ...apiNodeArgs],
  });
  await kiln.startWorker({ KILN_WORKER_JOB_TYPES: "canary" });
  const { companyId, key } = await kiln.createCompany("streams");
  const submit = async () => {
    const response = await kiln.call("POST", `/api/companies/${companyId}/content-jobs`, key, {
      jobType: "canary",
      input: { durationMs: 0, steps: 1 },
    });
    if (response.status !== 202) throw new Error(`submit: ${response.status} ${await response.text()}`);
    return ((await response.json()) as { jobId: string }).jobId;
  };
  // One job on one stream first: it warms the API and gives the bare server the same events.
  const stream = await fetch(`${kiln.base}/api/companies/${companyId}/events`, {
    headers: { authorization: `Bearer ${key}` },
  });
  const reading = readSse(stream, {
    until: (event) => event.event === "content_job.done",
    timeoutMs: 30_000,
  });
  await submit();
  const { events: sampleEvents } = await reading;
  /** The API's /metrics, read once: a sample by metric name (NaN when absent). */
  const scrapeKiln = async () => {
    const metrics = await (await fetch(`${kiln.base}/metrics`)).text();
    return (name: string) => Number(new RegExp(`^${name} (\\S+)$`, "m").exec(metrics)?.[1]);
  };
  const target: Target = {
    name: "kiln",
    pid: kiln.api.child.pid!,
    url: `${kiln.base}/api/companies/${companyId}/events`,
    headers: { authorization: `Bearer ${key}` },
    publishJob: async () => void (await submit()),
    openStreams: async () => (await scrapeKiln())("kiln_sse_connections"),
    async heap() {
      const gauge = await scrapeKiln();
      return {
        committed: gauge("kiln_nodejs_heap_size_total_bytes"),
        used: gauge("kiln_nodejs_heap_size_used_bytes"),
      };
    },
  };
  return { target, sampleEvents, close: () => kiln.close() };
};

export const runStreamsBench = async () => {
  checkFdLimit(Math.max(...counts) + 1_000);
  const kiln = await startKiln();
  const bare = await startBare(kiln.sampleEvents);
  const clients = await startClients();
  const runs: Record<string, unknown>[] = [];
  try {
    for (const streams of counts) {
      const [bareRun, kilnRun] = await measureRound([bare.target, kiln.target], clients, streams);
      if (!bareRun || !kilnRun) throw new Error("a round measures both servers");
      runs.push({
        streams,
        bare: bareRun,
        kiln: kilnRun,
        ratios: {
          deliveryP50: round(kilnRun.deliveryP50Ms / bareRun.deliveryP50Ms, 2),
          deliveryP99: round(kilnRun.deliveryP99Ms / bareRun.deliveryP99Ms, 2),
          rssPerStream: round(kilnRun.rssPerStreamKiB / bareRun.rssPerStreamKiB, 2),
          openP99: round(kilnRun.openP99Ms / bareRun.openP99Ms, 2),
        },
      });
    }
  } finally {
    clients.close();
    await bare.close();
    await kiln.close();
  }
  const result = {
    bench: "streams",
    at: new Date().toISOString(),
    clientProcesses,
    uptime: execFileSync("uptime", { encoding: "utf8" }).trim(),
    targets: "10,000 streams: every stream opened, done p99 ≤ 1.5× bare, ≤ 16 KiB RSS per idle stream",
    runs,
  };
  const folder = new URL("./results/", import.meta.url);
  await mkdir(folder, { recursive: true });
  const file = new URL(`streams-${result.at.replaceAll(":", "-").slice(0, 19)}.json`, folder);
  await writeFile(file, `${JSON.stringify(result, null, 2)}\n`);
  for (const run of runs as { streams: number; bare: Summary; kiln: Summary; ratios: object }[]) {
    console.log(
      `${run.streams} streams  opened bare ${run.bare.opened} / kiln ${run.kiln.opened}` +
        `  done p50 ${run.bare.deliveryP50Ms} / ${run.kiln.deliveryP50Ms} ms` +
        `  p99 ${run.bare.deliveryP99Ms} / ${run.kiln.deliveryP99Ms} ms` +
        `  RSS/stream ${run.bare.rssPerStreamKiB} / ${run.kiln.rssPerStreamKiB} KiB` +
        ` (V8 heap committed ${run.bare.heapCommittedPerStreamKiB} / ${run.kiln.heapCommittedPerStreamKiB} KiB` +
        (run.kiln.retained
          ? `, retained ${run.bare.retained?.perStreamKiB} / ${run.kiln.retained.perStreamKiB} KiB)`
          : ")") +
        `  ratios ${JSON.stringify(run.ratios)}`,
    );
  }
  console.log(`written to ${file.pathname}`);
  return result;
};

type Summary = Awaited<ReturnType<typeof measureRound>>[number];
