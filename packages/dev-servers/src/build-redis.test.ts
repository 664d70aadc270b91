// Redis built from source when the machine has none. This machine has no internet: the download is
// pointed (REDISMS_DOWNLOAD_MIRROR, redis-memory-server's own setting) at servers on loopback that
// refuse, stall, or serve a stand-in source tree whose Makefile "builds" by copying the machine's
// redis-server. Real are: the child process, redis-memory-server's download, unpacking and make, the
// cache, the deadline's kill, and the start, PING and stop of the result. Not exercised: a download
// from download.redis.io and a compile of Redis itself.
import { execFile, spawn } from "node:child_process";
import {
  access,
  copyFile,
  mkdir,
  mkdtemp,
  readdir,
  readFile,
  rm,
  symlink,
  writeFile,
} from "node:fs/promises";
import { createServer as createHttpServer, type Server as HttpServer } from "node:http";
import { createServer as createHttpsServer } from "node:https";
import { createServer, type Server } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { DevServerError } from "./dev-server-error.ts";
import { type DevServersOptions, startDevServers } from "./dev-servers.ts";
import { redisAnswersPing } from "./local-redis.ts";

const machineRedis = "/usr/bin/redis-server";

const listen = <S extends Server | HttpServer>(server: S): Promise<S> =>
  new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve(server)));
const portOf = (server: Server | HttpServer) => {
  const address = server.address();
  if (typeof address !== "object" || !address) throw new Error("not listening");
  return address.port;
};
const close = (server: Server | HttpServer) => new Promise((resolve) => server.close(resolve));
const exists = (path: string) =>
  access(path).then(
    () => true,
    () => false,
  );

/** Processes whose command line mentions `text`: what a build left running. */
const processesMentioning = async (text: string): Promise<number[]> => {
  const found: number[] = [];
  for (const entry of await readdir("/proc")) {
    const pid = Number(entry);
    if (!Number.isInteger(pid) || pid === process.pid) continue;
    const cmdline = await readFile(`/proc/${pid}/cmdline`, "utf8").catch(() => "");
    if (cmdline.includes(text)) found.push(pid);
  }
  return found;
};

const isRunning = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

let root: string;
/** make and cc, and nothing else: a machine with a toolchain and no redis-server. */
let toolchainPath: string;
let emptyPath: string;
/** Something answers here, so PostgreSQL is "used", never started. */
let postgres: Server;
let closedPort: number;
/** Every request any mirror of these tests received. */
const requests: string[] = [];
const mirrors: HttpServer[] = [];

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), "kiln-build-redis-"));
  toolchainPath = join(root, "toolchain");
  emptyPath = join(root, "empty");
  await mkdir(toolchainPath);
  await mkdir(emptyPath);
  await symlink("/usr/bin/make", join(toolchainPath, "make"));
  await symlink("/usr/bin/cc", join(toolchainPath, "cc"));
  postgres = await listen(createServer((socket) => socket.destroy()));
  const closed = await listen(createServer());
  closedPort = portOf(closed);
  await close(closed);
  delete process.env.REDISMS_DOWNLOAD_URL;
});
afterAll(async () => {
  await close(postgres);
  await rm(root, { recursive: true, force: true });
});
beforeEach(() => {
  requests.length = 0;
  // Never the internet, even on a machine that has it.
  process.env.REDISMS_DOWNLOAD_MIRROR = `http://127.0.0.1:${closedPort}`;
});
afterEach(async () => {
  delete process.env.REDISMS_DOWNLOAD_MIRROR;
  await Promise.all(mirrors.splice(0).map(close));
});

/** A mirror on loopback; `respond` handles GET /redis-stable.tar.gz. */
const startMirror = async (respond: (response: import("node:http").ServerResponse) => void) => {
  const mirror = await listen(
    createHttpServer((request, response) => {
      requests.push(request.url ?? "");
      respond(response);
    }),
  );
  mirrors.push(mirror);
  process.env.REDISMS_DOWNLOAD_MIRROR = `http://127.0.0.1:${portOf(mirror)}`;
  return mirror;
};

/** A redis-stable.tar.gz whose Makefile runs `recipe` (a tab-indented shell line). */
const sourceArchive = async (recipe: string): Promise<Buffer> => {
  const dir = await mkdtemp(join(root, "source-"));
  await mkdir(join(dir, "redis-stable"));
  await writeFile(join(dir, "redis-stable", "Makefile"), `all:\n\t${recipe}\n`);
  const archive = join(dir, "redis-stable.tar.gz");
  await promisify(execFile)("tar", ["-czf", archive, "-C", dir, "redis-stable"]);
  return readFile(archive);
};

const serveArchive = (archive: Buffer) =>
  startMirror((response) => {
    response.writeHead(200, { "content-length": archive.length });
    response.end(archive);
  });

const options = (overrides: Partial<DevServersOptions>): DevServersOptions & { lines: string[] } => {
  const lines: string[] = [];
  return {
    production: false,
    dataDir: join(root, `data-${Math.random().toString(36).slice(2)}`),
    postgresPort: portOf(postgres),
    redisPort: closedPort,
    searchPath: toolchainPath,
    redisSearchDirs: [],
    report: (line) => lines.push(line),
    lines,
    ...overrides,
  };
};

const failureOf = async (given: DevServersOptions): Promise<string> => {
  const failure = await startDevServers(given).catch((error: unknown) => error);
  expect(failure).toBeInstanceOf(DevServerError);
  return (failure as Error).message;
};

const expectInstallHint = (message: string) => {
  expect(message).toContain(
    `nothing answers on 127.0.0.1:${closedPort} and no redis-server was found on PATH.`,
  );
  expect(message).toContain("sudo apt-get install redis-server");
  expect(message).toContain("brew install redis");
  expect(message).toContain(`docker run -d -p ${closedPort}:6379 redis:7`);
  // One line per fact, no stack trace.
  expect(message).not.toMatch(/^\s+at /m);
};

describe("Redis built from source, for a machine without redis-server", () => {
  it("switched off (KILN_DEV_REDIS_BUILD=false): names the install commands, downloads nothing", async () => {
    await serveArchive(await sourceArchive("false"));
    const given = options({ buildRedis: false });
    const message = await failureOf(given);
    expectInstallHint(message);
    expect(message).not.toContain("Building");
    expect(requests).toEqual([]);
    expect(await exists(given.dataDir)).toBe(false);
  });

  it("without make or cc: says so in one line, downloads nothing", async () => {
    await serveArchive(await sourceArchive("false"));
    const message = await failureOf(options({ searchPath: emptyPath }));
    expectInstallHint(message);
    expect(message).toContain(
      "\nBuilding one from source failed: building Redis needs make and a C compiler (cc) on PATH\n",
    );
    expect(requests).toEqual([]);
  });

  it("offline: tries, then names the install commands with the reason in one line", async () => {
    const given = options({});
    const startedAt = Date.now();
    const message = await failureOf(given);
    expect(Date.now() - startedAt).toBeLessThan(10_000);
    expect(given.lines).toEqual([expect.stringContaining("downloading the Redis source and building it")]);
    expectInstallHint(message);
    const cacheDir = join(given.dataDir, "redis-build");
    expect(message).toContain(
      `\nBuilding one from source failed: downloading http://127.0.0.1:${closedPort}/redis-stable.tar.gz failed: connect ECONNREFUSED 127.0.0.1:${closedPort} (log ${cacheDir}/build.log)\n`,
    );
    // PostgreSQL was not started for nothing; the lock is released; no build process is left.
    expect(await exists(join(given.dataDir, "postgres"))).toBe(false);
    expect(await exists(join(cacheDir, "build.lock"))).toBe(false);
    expect(await processesMentioning(cacheDir)).toEqual([]);
  });

  it("a download that stalls fails once nothing has arrived for the idle timeout", async () => {
    // Accepts, then never answers: a captive portal, a proxy that hangs.
    await startMirror(() => undefined);
    const given = options({ redisBuildTimeouts: { downloadIdleMs: 500 } });
    const startedAt = Date.now();
    const message = await failureOf(given);
    expect(Date.now() - startedAt).toBeLessThan(10_000);
    expect(requests).toEqual(["/redis-stable.tar.gz"]);
    expect(message).toMatch(/redis-stable\.tar\.gz failed: no answer from 127\.0\.0\.1 for 0\.5 s \(log /);
    expect(await processesMentioning(join(given.dataDir, "redis-build"))).toEqual([]);
  });

  it("checks the mirror's certificate, whatever npm's strict-ssl says: source it compiles is not taken from anyone", async () => {
    delete process.env.npm_config_strict_ssl;
    const dir = await mkdtemp(join(root, "tls-"));
    await promisify(execFile)("openssl", [
      ...["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1"],
      ...["-keyout", join(dir, "key.pem"), "-out", join(dir, "cert.pem")],
    ]);
    const archive = await sourceArchive(`/bin/mkdir -p src && /bin/cp ${machineRedis} src/redis-server`);
    const mirror = await listen(
      createHttpsServer(
        { key: await readFile(join(dir, "key.pem")), cert: await readFile(join(dir, "cert.pem")) },
        (request, response) => {
          requests.push(request.url ?? "");
          response.writeHead(200, { "content-length": archive.length });
          response.end(archive);
        },
      ),
    );
    mirrors.push(mirror);
    process.env.REDISMS_DOWNLOAD_MIRROR = `https://127.0.0.1:${portOf(mirror)}`;
    const message = await failureOf(options({}));
    expect(message).toContain(`redis-stable.tar.gz failed: self-signed certificate (log `);
    expect(requests).toEqual([]);
  });

  it("one build at a time: a live holder of the lock is named; a dead one's lock is taken over", async () => {
    const given = options({});
    const lockFile = join(given.dataDir, "redis-build", "build.lock");
    await mkdir(join(lockFile, ".."), { recursive: true });
    await writeFile(lockFile, String(process.pid));
    expect(await failureOf(given)).toContain(
      `Building one from source failed: another npm start (pid ${process.pid}) is building Redis; let it finish, then try again\n`,
    );
    expect(await readFile(lockFile, "utf8")).toBe(String(process.pid));

    const gone = execFile("true");
    await new Promise((resolve) => gone.once("exit", resolve));
    await writeFile(lockFile, String(gone.pid));
    expect(await failureOf(given)).toContain(
      `Building one from source failed: downloading http://127.0.0.1:${closedPort}/redis-stable.tar.gz failed: connect ECONNREFUSED`,
    );
    expect(await exists(lockFile)).toBe(false);
  });

  it("a build past its deadline is killed, make and all it started with it", async () => {
    const marker = String(3_000 + Math.floor(Math.random() * 1_000));
    await serveArchive(await sourceArchive(`/bin/sleep ${marker}`));
    const given = options({ redisBuildTimeouts: { totalMs: 3_000 } });
    const message = await failureOf(given);
    expect(message).toContain(
      "Building one from source failed: the download and build took longer than 3 s (log ",
    );
    expect(await processesMentioning(`sleep\0${marker}`)).toEqual([]);
    expect(await processesMentioning(join(given.dataDir, "redis-build"))).toEqual([]);
    expect(await exists(join(given.dataDir, "redis-build", "build.lock"))).toBe(false);
  });

  it("Ctrl-C mid-build (the abort signal) stops make and all it started, and starts nothing", async () => {
    const marker = String(5_000 + Math.floor(Math.random() * 1_000));
    await serveArchive(await sourceArchive(`/bin/sleep ${marker}`));
    const aborted = new AbortController();
    const given = options({ signal: aborted.signal });
    const starting = startDevServers(given).catch((error: unknown) => error);
    const deadline = Date.now() + 20_000;
    while ((await processesMentioning(`sleep\0${marker}`)).length === 0) {
      if (Date.now() > deadline) throw new Error("make never started");
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    aborted.abort(new Error("Ctrl-C"));
    expect(await starting).toEqual(new Error("Ctrl-C"));
    expect(await processesMentioning(`sleep\0${marker}`)).toEqual([]);
    expect(await processesMentioning(join(given.dataDir, "redis-build"))).toEqual([]);
    expect(await exists(join(given.dataDir, "redis-build", "build.lock"))).toBe(false);
  });

  it("npm start killed mid-build (SIGKILL, no clean-up of its own): the build dies with it", async () => {
    const marker = String(4_000 + Math.floor(Math.random() * 1_000));
    await serveArchive(await sourceArchive(`/bin/sleep ${marker}`));
    const cacheDir = join(root, `killed-${marker}`);
    const buildRedis = new URL("./build-redis.ts", import.meta.url).pathname;
    const parent = spawn(
      process.execPath,
      [
        ...["--import", "tsx", "--input-type=module", "-e"],
        `import { buildRedisServer } from ${JSON.stringify(buildRedis)};
         await buildRedisServer({ cacheDir: ${JSON.stringify(cacheDir)}, searchPath: ${JSON.stringify(toolchainPath)}, report: () => {} });`,
      ],
      { stdio: "ignore", env: process.env },
    );
    const exited = new Promise((resolve) => parent.once("exit", resolve));
    const deadline = Date.now() + 20_000;
    while ((await processesMentioning(`sleep\0${marker}`)).length === 0) {
      if (Date.now() > deadline || parent.exitCode !== null) throw new Error("make never started");
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    parent.kill("SIGKILL");
    await exited;
    const gone = Date.now() + 5_000;
    while ((await processesMentioning(`sleep\0${marker}`)).length > 0 && Date.now() < gone) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(await processesMentioning(`sleep\0${marker}`)).toEqual([]);
    expect(await processesMentioning(cacheDir)).toEqual([]);
  });

  it("downloads, makes, caches and runs the result; the next start uses the cache", async () => {
    await serveArchive(await sourceArchive(`/bin/mkdir -p src && /bin/cp ${machineRedis} src/redis-server`));
    const given = options({});
    const cached = join(given.dataDir, "redis-build", "stable", "redis-server");
    const servers = await startDevServers(given);
    expect(requests).toEqual(["/redis-stable.tar.gz"]);
    expect(given.lines[0]).toContain("downloading the Redis source and building it");
    expect(given.lines[1]).toMatch(/^Redis: built redis-server \S+ in \d+ s$/);
    expect(given.lines).toContainEqual(
      expect.stringContaining(`Redis: started ${cached} on 127.0.0.1:${closedPort} (pid `),
    );
    expect(await redisAnswersPing("127.0.0.1", closedPort)).toBe(true);
    await servers.stop();
    expect(await redisAnswersPing("127.0.0.1", closedPort)).toBe(false);

    requests.length = 0;
    const again = options({ dataDir: given.dataDir });
    const warm = await startDevServers(again);
    expect(requests).toEqual([]);
    expect(again.lines.join("\n")).not.toContain("downloading");
    expect(await redisAnswersPing("127.0.0.1", closedPort)).toBe(true);
    await warm.stop();
  });

  it("runs a build already in the cache (the machine's redis-server put there): start, PING, stop, nothing left", async () => {
    const given = options({});
    const cached = join(given.dataDir, "redis-build", "stable", "redis-server");
    await mkdir(join(cached, ".."), { recursive: true });
    await copyFile(machineRedis, cached);
    const servers = await startDevServers(given);
    expect(given.lines).toEqual([
      `PostgreSQL: using the server on 127.0.0.1:${portOf(postgres)} (DATABASE_URL is unset)`,
      expect.stringMatching(
        new RegExp(
          `^Redis: started ${cached} on 127\\.0\\.0\\.1:${closedPort} \\(pid \\d+\\), in memory only`,
        ),
      ),
    ]);
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
