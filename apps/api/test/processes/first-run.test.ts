// `npm start` on a machine where nothing answers on the default ports: it must bring its own
// PostgreSQL and Redis, run the printed walk-through to a finished job, and leave no process behind
// on Ctrl-C. The default ports are moved to free ones and the data goes to a temporary folder, so
// the machine's own servers and the developer's .data/ are never touched.

import { chmod, mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort, readSse, type SpawnedProcess, spawnKilnProcess } from "@kiln/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

/** Free means we can listen on it: nothing, not even a dying server, holds it. */
const portIsFree = (port: number): Promise<boolean> =>
  new Promise((resolve) => {
    const server = createServer();
    server.once("error", () => resolve(false));
    server.listen(port, "127.0.0.1", () => server.close(() => resolve(true)));
  });

/** pid → start time (clock ticks since boot), from /proc: a pid reused later has another start time. */
const readProcessStat = async (pid: number): Promise<{ ppid: number; startTime: string } | undefined> => {
  const stat = await readFile(`/proc/${pid}/stat`, "utf8").catch(() => undefined);
  if (!stat) return undefined;
  // Fields after the command name, which may itself hold spaces and parentheses.
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return { ppid: Number(fields[1]), startTime: fields[19] ?? "" };
};

/** Every process descended from `root`, with its start time. */
const descendantsOf = async (root: number): Promise<Map<number, string>> => {
  const parents = new Map<number, { ppid: number; startTime: string }>();
  for (const entry of await readdir("/proc")) {
    const pid = Number(entry);
    if (!Number.isInteger(pid)) continue;
    const stat = await readProcessStat(pid);
    if (stat) parents.set(pid, stat);
  }
  const found = new Map<number, string>();
  let frontier = [root];
  while (frontier.length > 0) {
    const next: number[] = [];
    for (const [pid, stat] of parents) {
      if (frontier.includes(stat.ppid) && !found.has(pid)) {
        found.set(pid, stat.startTime);
        next.push(pid);
      }
    }
    frontier = next;
  }
  return found;
};

/** The processes of `processes` still alive once they have had `graceMs` to finish exiting. */
const stillAlive = async (processes: Map<number, string>, graceMs = 5_000) => {
  const deadline = Date.now() + graceMs;
  for (;;) {
    const alive: number[] = [];
    for (const [pid, startTime] of processes) {
      if ((await readProcessStat(pid))?.startTime === startTime) alive.push(pid);
    }
    if (alive.length === 0 || Date.now() > deadline) return alive;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
};

let dataDir: string;
let ports: { api: number; postgres: number; redis: number };
const running = new Set<SpawnedProcess>();

beforeAll(async () => {
  const root = await mkdtemp(join(tmpdir(), "kiln-first-run-"));
  // As root, PostgreSQL runs as the `postgres` user, which must be able to reach its folder.
  await chmod(root, 0o755);
  dataDir = join(root, "data");
  ports = { api: await freePort(), postgres: await freePort(), redis: await freePort() };
});

afterAll(async () => {
  // A failed test may leave `npm start` running: Ctrl-C it as a user would, then clean up.
  for (const leftover of running) {
    if (leftover.child.pid) process.kill(-leftover.child.pid, "SIGINT");
    await leftover.exited;
  }
  if (dataDir) await rm(join(dataDir, ".."), { recursive: true, force: true });
});

/** `npm start`'s own script, as the terminal's foreground job, with no URL set and its ports moved. */
const launchNpmStart = (data: string) => {
  const env: Record<string, string | undefined> = {};
  for (const name of Object.keys(process.env)) if (name.startsWith("KILN_")) env[name] = undefined;
  const start = spawnKilnProcess(
    "scripts/start-all.ts",
    {
      ...env,
      DATABASE_URL: undefined,
      REDIS_URL: undefined,
      STORAGE_DIR: undefined,
      NODE_ENV: "development",
      LOG_LEVEL: "warn",
      PORT: String(ports.api),
      HOST: "127.0.0.1",
      KILN_DATA_DIR: data,
      KILN_DEV_PG_PORT: String(ports.postgres),
      KILN_DEV_REDIS_PORT: String(ports.redis),
    },
    [],
    { processGroup: true },
  );
  running.add(start);
  void start.exited.then(() => running.delete(start));
  return start;
};

/** `npm start` up to "Kiln is running", with what it printed about its servers. */
const npmStart = async () => {
  const startedAt = performance.now();
  const start = launchNpmStart(dataDir);
  // Both servers are reported once both answer; Kiln itself (migration, API, worker) comes after.
  await start.waitFor(/^Redis: /m, 120_000);
  const serversInMs = Math.round(performance.now() - startedAt);
  await start.waitFor(/Kiln is running/, 180_000);
  const readyInMs = Math.round(performance.now() - startedAt);
  const output = start.output();
  const postgres = output.match(
    new RegExp(
      `PostgreSQL: started an embedded server on 127\\.0\\.0\\.1:${ports.postgres} \\(pid (\\d+)\\), (a new cluster|data kept) in (\\S+),`,
    ),
  );
  const redis = output.match(
    new RegExp(`Redis: started (\\S+) on 127\\.0\\.0\\.1:${ports.redis} \\(pid (\\d+)\\), in memory only`),
  );
  const base = output.match(/Kiln is running \(ready in [\d.]+ s\): API (http:\/\/localhost:\d+) /)?.[1];
  const adminToken = output.match(/^ {2}A=(\S+)$/m)?.[1];
  expect(postgres, output).not.toBeNull();
  expect(redis, output).not.toBeNull();
  expect(base).toBe(`http://localhost:${ports.api}`);
  expect(adminToken).toMatch(/^kiln_admin_/);
  return {
    start,
    serversInMs,
    readyInMs,
    base: base ?? "",
    adminToken: adminToken ?? "",
    postgres: {
      pid: Number(postgres?.[1]),
      newCluster: postgres?.[2] === "a new cluster",
      dir: postgres?.[3],
    },
    redis: { pid: Number(redis?.[2]) },
  };
};

/** Ctrl-C in the terminal: the signal reaches `npm start` and every process of its group. */
const ctrlC = async (run: Awaited<ReturnType<typeof npmStart>>) => {
  const pid = run.start.child.pid ?? 0;
  const tree = await descendantsOf(pid);
  // The servers are started in their own process groups, yet are descendants all the same.
  expect(tree.has(run.postgres.pid)).toBe(true);
  expect(tree.has(run.redis.pid)).toBe(true);
  process.kill(-pid, "SIGINT");
  expect(await run.start.exited).toBe(0);
  expect(await stillAlive(tree)).toEqual([]);
  for (const port of [ports.api, ports.postgres, ports.redis]) expect(await portIsFree(port)).toBe(true);
  return tree.size;
};

const call = async (base: string, method: string, path: string, token: string, body?: unknown) =>
  fetch(`${base}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${token}`,
      ...(body !== undefined && { "content-type": "application/json" }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });

describe("npm start on a machine with nothing running", () => {
  let first: { companyId: string; key: string; jobId: string } | undefined;

  it("starts embedded servers, finishes the printed walk-through, and Ctrl-C leaves no process", async () => {
    const run = await npmStart();
    expect(run.postgres.newCluster).toBe(true);
    expect(run.postgres.dir).toBe(join(dataDir, "postgres"));

    // The walk-through npm start printed, step by step.
    const company = await call(run.base, "POST", "/api/companies", run.adminToken, { name: "Acme" });
    expect(company.status).toBe(201);
    const companyId = ((await company.json()) as { id: string }).id;
    const apiKey = await call(run.base, "POST", `/api/companies/${companyId}/api-keys`, run.adminToken, {
      name: "dev",
    });
    expect(apiKey.status).toBe(201);
    const key = ((await apiKey.json()) as { key: string }).key;
    const submitted = await call(run.base, "POST", `/api/companies/${companyId}/content-jobs`, key, {
      jobType: "markdown.html",
      input: { markdown: "# Hi" },
    });
    expect(submitted.status).toBe(202);
    const jobId = ((await submitted.json()) as { jobId: string }).jobId;
    const stream = await call(
      run.base,
      "GET",
      `/api/companies/${companyId}/content-jobs/${jobId}/events`,
      key,
    );
    const { events } = await readSse(stream, { timeoutMs: 30_000 });
    expect(events.at(-1)).toMatchObject({ event: "content_job.done", data: { job: { status: "done" } } });
    const artifact = await call(
      run.base,
      "GET",
      `/api/companies/${companyId}/content-jobs/${jobId}/artifacts/index.html`,
      key,
    );
    expect(artifact.status).toBe(200);
    expect(await artifact.text()).toContain("<h1");
    first = { companyId, key, jobId };

    const stopped = await ctrlC(run);
    console.log(
      `first run (cold, initdb): servers up after ${run.serversInMs} ms, Kiln is running after ${run.readyInMs} ms; ${stopped} processes stopped`,
    );
  }, 240_000);

  it("starts again on the kept data: the same admin token, company, key and finished job", async () => {
    expect(first).toBeDefined();
    const run = await npmStart();
    expect(run.postgres.newCluster).toBe(false);
    const { companyId, key, jobId } = first ?? { companyId: "", key: "", jobId: "" };
    const job = await call(run.base, "GET", `/api/companies/${companyId}/content-jobs/${jobId}`, key);
    expect(job.status).toBe(200);
    expect(await job.json()).toMatchObject({ id: jobId, status: "done" });
    const companies = await call(run.base, "POST", "/api/companies", run.adminToken, { name: "Again" });
    expect(companies.status).toBe(201);

    const stopped = await ctrlC(run);
    console.log(
      `second run (warm): servers up after ${run.serversInMs} ms, Kiln is running after ${run.readyInMs} ms; ${stopped} processes stopped`,
    );
  }, 240_000);

  it("Ctrl-C while the servers are still starting stops them too", async () => {
    const data = join(dataDir, "..", "interrupted");
    const start = launchNpmStart(data);
    const pid = start.child.pid ?? 0;
    // PostgreSQL's log appears when initdb starts: the servers are on their way, not up yet.
    const log = join(data, "postgres.log");
    while (
      !(await readFile(log).then(
        () => true,
        () => false,
      ))
    ) {
      if (start.child.exitCode !== null) throw new Error(`npm start exited:\n${start.output()}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const tree = await descendantsOf(pid);
    process.kill(-pid, "SIGINT");
    expect(await start.exited).toBe(0);
    expect(start.output()).not.toContain("Kiln is running");
    expect(await stillAlive(tree)).toEqual([]);
    for (const port of [ports.postgres, ports.redis]) expect(await portIsFree(port)).toBe(true);
  }, 120_000);
});
