// What `npm start` says when it cannot build the Redis a machine lacks, and how long it takes to say
// it. Real: the build process, redis-memory-server's download (from loopback mirrors, see
// testing/machine-without-redis.ts). Not exercised here: a download from download.redis.io.
import { execFile } from "node:child_process";
import { mkdir, mkdtemp, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import {
  exists,
  machineRedis,
  processesMentioning,
  useMachineWithoutRedis,
} from "./testing/machine-without-redis.ts";

const machine = useMachineWithoutRedis();

const expectInstallHint = (message: string) => {
  expect(message).toContain(
    `nothing answers on 127.0.0.1:${machine.closedPort} and no redis-server was found on PATH.`,
  );
  expect(message).toContain("sudo apt-get install redis-server");
  expect(message).toContain("brew install redis");
  expect(message).toContain(`docker run -d -p ${machine.closedPort}:6379 redis:7`);
  // One line per fact, no stack trace.
  expect(message).not.toMatch(/^\s+at /m);
};

describe("Redis built from source, when it cannot be", () => {
  it("switched off (KILN_DEV_REDIS_BUILD=false): names the install commands, downloads nothing", async () => {
    await machine.serveArchive(await machine.sourceArchive("false"));
    const given = machine.options({ buildRedis: false });
    const message = await machine.failureOf(given);
    expectInstallHint(message);
    expect(message).not.toContain("Building");
    expect(machine.requests).toEqual([]);
    expect(await exists(given.dataDir)).toBe(false);
  });

  it("without make or cc: says so in one line, downloads nothing", async () => {
    await machine.serveArchive(await machine.sourceArchive("false"));
    const message = await machine.failureOf(machine.options({ searchPath: machine.emptyPath }));
    expectInstallHint(message);
    expect(message).toContain(
      "\nBuilding one from source failed: building Redis needs make and a C compiler (cc) on PATH\n",
    );
    expect(machine.requests).toEqual([]);
  });

  it("offline: tries, then names the install commands with the reason in one line", async () => {
    const given = machine.options();
    const startedAt = Date.now();
    const message = await machine.failureOf(given);
    expect(Date.now() - startedAt).toBeLessThan(10_000);
    expect(given.lines).toEqual([expect.stringContaining("downloading the Redis source and building it")]);
    expectInstallHint(message);
    const cacheDir = join(given.dataDir, "redis-build");
    const { closedPort } = machine;
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
    await machine.startMirror(() => undefined);
    const given = machine.options({ redisBuildTimeouts: { downloadIdleMs: 500 } });
    const startedAt = Date.now();
    const message = await machine.failureOf(given);
    expect(Date.now() - startedAt).toBeLessThan(10_000);
    expect(machine.requests).toEqual(["/redis-stable.tar.gz"]);
    expect(message).toMatch(/redis-stable\.tar\.gz failed: no answer from 127\.0\.0\.1 for 0\.5 s \(log /);
    expect(await processesMentioning(join(given.dataDir, "redis-build"))).toEqual([]);
  });

  it("a download that is no archive (a captive portal's page) fails, and is not kept for the next start", async () => {
    await machine.serveArchive(Buffer.from("<html>Sign in to the Wi-Fi</html>"));
    const given = machine.options();
    const archive = join(given.dataDir, "redis-build", "redis-stable.tar.gz");
    const message = await machine.failureOf(given);
    expect(message).toContain(`Building one from source failed: unpacking ${archive} failed: `);
    expect(message).not.toMatch(/^\s+at /m);
    expect(await exists(archive)).toBe(false);
  });

  it("checks the mirror's certificate, whatever npm's strict-ssl says: source it compiles is not taken from anyone", async () => {
    const dir = await mkdtemp(join(machine.root, "tls-"));
    await promisify(execFile)("openssl", [
      ...["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1"],
      ...["-keyout", join(dir, "key.pem"), "-out", join(dir, "cert.pem")],
    ]);
    const archive = await machine.sourceArchive(
      `/bin/mkdir -p src && /bin/cp ${machineRedis} src/redis-server`,
    );
    const tls = { key: await readFile(join(dir, "key.pem")), cert: await readFile(join(dir, "cert.pem")) };
    await machine.startMirror((response) => {
      response.writeHead(200, { "content-length": archive.length });
      response.end(archive);
    }, tls);
    const message = await machine.failureOf(machine.options());
    expect(message).toContain("redis-stable.tar.gz failed: self-signed certificate (log ");
    expect(machine.requests).toEqual([]);
  });

  it("one build at a time: a live holder of the lock is named; a dead one's lock is taken over", async () => {
    const given = machine.options();
    const lockFile = join(given.dataDir, "redis-build", "build.lock");
    await mkdir(join(lockFile, ".."), { recursive: true });
    await writeFile(lockFile, String(process.pid));
    expect(await machine.failureOf(given)).toContain(
      `Building one from source failed: another npm start (pid ${process.pid}) is building Redis; let it finish, then try again\n`,
    );
    expect(await readFile(lockFile, "utf8")).toBe(String(process.pid));

    const gone = execFile("true");
    await new Promise((resolve) => gone.once("exit", resolve));
    await writeFile(lockFile, String(gone.pid));
    expect(await machine.failureOf(given)).toContain(
      `Building one from source failed: downloading http://127.0.0.1:${machine.closedPort}/redis-stable.tar.gz failed: connect ECONNREFUSED`,
    );
    expect(await exists(lockFile)).toBe(false);
  });
});
