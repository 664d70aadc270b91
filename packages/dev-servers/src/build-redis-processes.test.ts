// The processes of the Redis build: bounded by a deadline, stopped by Ctrl-C, gone with npm start,
// and the Redis it yields started, PINGed and stopped like the machine's own. Real: make, the
// process groups, the cache, redis-server (a stand-in source tree "builds" by copying the machine's,
// see testing/machine-without-redis.ts). Not exercised here: a compile of Redis itself.
import { spawn } from "node:child_process";
import { copyFile, mkdir } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { startDevServers } from "./dev-servers.ts";
import { redisAnswersPing } from "./local-redis.ts";
import {
  exists,
  machineRedis,
  processesMentioning,
  useMachineWithoutRedis,
  waitForProcess,
} from "./testing/machine-without-redis.ts";

const machine = useMachineWithoutRedis();

/** A Makefile that runs `sleep <marker>`, and the marker to find that process by. */
const slowBuild = async () => {
  const seconds = String(3_000 + Math.floor(Math.random() * 3_000));
  await machine.serveArchive(await machine.sourceArchive(`/bin/sleep ${seconds}`));
  return `sleep\0${seconds}`;
};

const isRunning = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe("the Redis build's processes", () => {
  it("a build past its deadline is killed, make and all it started with it", async () => {
    const sleeping = await slowBuild();
    const given = machine.options({ redisBuildTimeouts: { totalMs: 3_000 } });
    const message = await machine.failureOf(given);
    expect(message).toContain(
      "Building one from source failed: the download and build took longer than 3 s (log ",
    );
    expect(await processesMentioning(sleeping)).toEqual([]);
    expect(await processesMentioning(join(given.dataDir, "redis-build"))).toEqual([]);
    expect(await exists(join(given.dataDir, "redis-build", "build.lock"))).toBe(false);
  });

  it("Ctrl-C mid-build (the abort signal) stops make and all it started, and starts nothing", async () => {
    const sleeping = await slowBuild();
    const aborted = new AbortController();
    const given = machine.options({ signal: aborted.signal });
    const starting = startDevServers(given).catch((error: unknown) => error);
    await waitForProcess(sleeping);
    aborted.abort(new Error("Ctrl-C"));
    expect(await starting).toEqual(new Error("Ctrl-C"));
    expect(await processesMentioning(sleeping)).toEqual([]);
    expect(await processesMentioning(join(given.dataDir, "redis-build"))).toEqual([]);
    expect(await exists(join(given.dataDir, "redis-build", "build.lock"))).toBe(false);
  });

  it("npm start killed mid-build (SIGKILL, no clean-up of its own): the build dies with it", async () => {
    const sleeping = await slowBuild();
    const cacheDir = join(machine.root, `killed-${Date.now()}`);
    const buildRedis = new URL("./build-redis.ts", import.meta.url).pathname;
    const parent = spawn(
      process.execPath,
      [
        ...["--import", "tsx", "--input-type=module", "-e"],
        `import { buildRedisServer } from ${JSON.stringify(buildRedis)};
         await buildRedisServer({ cacheDir: ${JSON.stringify(cacheDir)}, searchPath: ${JSON.stringify(machine.toolchainPath)}, report: () => {} });`,
      ],
      { stdio: "ignore", env: process.env },
    );
    const exited = new Promise((resolve) => parent.once("exit", resolve));
    await waitForProcess(sleeping);
    parent.kill("SIGKILL");
    await exited;
    const gone = Date.now() + 5_000;
    while ((await processesMentioning(sleeping)).length > 0 && Date.now() < gone) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(await processesMentioning(sleeping)).toEqual([]);
    expect(await processesMentioning(cacheDir)).toEqual([]);
  });

  it("downloads, makes, caches and runs the result; the next start uses the cache", async () => {
    await machine.serveArchive(
      await machine.sourceArchive(`/bin/mkdir -p src && /bin/cp ${machineRedis} src/redis-server`),
    );
    const { closedPort } = machine;
    const given = machine.options();
    const cached = join(given.dataDir, "redis-build", "stable", "redis-server");
    const servers = await startDevServers(given);
    expect(machine.requests).toEqual(["/redis-stable.tar.gz"]);
    expect(given.lines[0]).toContain("downloading the Redis source and building it");
    expect(given.lines[1]).toMatch(/^Redis: built redis-server \S+ in \d+ s$/);
    expect(given.lines).toContainEqual(
      expect.stringContaining(`Redis: started ${cached} on 127.0.0.1:${closedPort} (pid `),
    );
    expect(await redisAnswersPing("127.0.0.1", closedPort)).toBe(true);
    await servers.stop();
    expect(await redisAnswersPing("127.0.0.1", closedPort)).toBe(false);

    machine.requests.length = 0;
    const again = machine.options({ dataDir: given.dataDir });
    const warm = await startDevServers(again);
    expect(machine.requests).toEqual([]);
    expect(again.lines.join("\n")).not.toContain("downloading");
    expect(await redisAnswersPing("127.0.0.1", closedPort)).toBe(true);
    await warm.stop();
  });

  it("runs a build already in the cache (the machine's redis-server put there): start, PING, stop, nothing left", async () => {
    const { closedPort } = machine;
    const given = machine.options();
    const cached = join(given.dataDir, "redis-build", "stable", "redis-server");
    await mkdir(join(cached, ".."), { recursive: true });
    await copyFile(machineRedis, cached);
    const servers = await startDevServers(given);
    expect(given.lines).toEqual([
      `PostgreSQL: using the server on 127.0.0.1:${machine.postgresPort} (DATABASE_URL is unset)`,
      expect.stringMatching(
        new RegExp(
          `^Redis: started ${cached} on 127\\.0\\.0\\.1:${closedPort} \\(pid \\d+\\), in memory only`,
        ),
      ),
    ]);
    expect(machine.requests).toEqual([]);
    expect(servers.redisUrl).toBe(`redis://127.0.0.1:${closedPort}`);
    expect(await redisAnswersPing("127.0.0.1", closedPort)).toBe(true);
    const [redis] = servers.started;
    expect(redis?.name).toBe("redis");
    await servers.stop();
    expect(isRunning(redis?.pid ?? 0)).toBe(false);
    expect(await redisAnswersPing("127.0.0.1", closedPort)).toBe(false);
    expect(await processesMentioning(cached)).toEqual([]);
  });
});
