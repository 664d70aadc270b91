// A machine with make and cc but no redis-server, for the tests of the Redis build. This machine
// has no internet: the download is pointed (REDISMS_DOWNLOAD_MIRROR, redis-memory-server's own
// setting) at servers on loopback that refuse, stall, or serve a stand-in source tree whose Makefile
// runs what a test says (copying the machine's redis-server "builds" it).
import { execFile } from "node:child_process";
import { access, mkdir, mkdtemp, readdir, readFile, rm, symlink, writeFile } from "node:fs/promises";
import {
  createServer as createHttpServer,
  type Server as HttpServer,
  type RequestListener,
  type ServerResponse,
} from "node:http";
import { createServer as createHttpsServer } from "node:https";
import { createServer, type Server } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, afterEach, beforeAll, beforeEach, expect } from "vitest";
import { DevServerError } from "../dev-server-error.ts";
import { type DevServersOptions, startDevServers } from "../dev-servers.ts";

export const machineRedis = "/usr/bin/redis-server";

const listen = <S extends Server | HttpServer>(server: S): Promise<S> =>
  new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve(server)));
export const portOf = (server: Server | HttpServer) => {
  const address = server.address();
  if (typeof address !== "object" || !address) throw new Error("not listening");
  return address.port;
};
const close = (server: Server | HttpServer) => new Promise((resolve) => server.close(resolve));
export const exists = (path: string) =>
  access(path).then(
    () => true,
    () => false,
  );

/** Processes whose command line mentions `text` (NUL between arguments): what a build left running. */
export const processesMentioning = async (text: string): Promise<number[]> => {
  const found: number[] = [];
  for (const entry of await readdir("/proc")) {
    const pid = Number(entry);
    if (!Number.isInteger(pid) || pid === process.pid) continue;
    const cmdline = await readFile(`/proc/${pid}/cmdline`, "utf8").catch(() => "");
    if (cmdline.includes(text)) found.push(pid);
  }
  return found;
};

/** Waits until a process mentioning `text` runs (make has reached the Makefile's recipe). */
export const waitForProcess = async (text: string, timeoutMs = 20_000) => {
  const deadline = Date.now() + timeoutMs;
  while ((await processesMentioning(text)).length === 0) {
    if (Date.now() > deadline) throw new Error(`no process mentioning ${JSON.stringify(text)}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
};

export interface MachineWithoutRedis {
  root: string;
  /** A PATH holding make and cc only. */
  toolchainPath: string;
  /** A PATH holding nothing. */
  emptyPath: string;
  /** Nothing listens here: where the Redis is looked for and started, and the default mirror. */
  closedPort: number;
  postgresPort: number;
  /** Every request the mirrors of the current test received. */
  requests: string[];
  /** A mirror on loopback (made the download's), answering every request with `respond`. */
  startMirror(
    respond: (response: ServerResponse) => void,
    tls?: { key: Buffer; cert: Buffer },
  ): Promise<void>;
  /** A mirror serving `archive` as redis-stable.tar.gz. */
  serveArchive(archive: Buffer): Promise<void>;
  /** A redis-stable.tar.gz whose Makefile's one target runs `recipe`. */
  sourceArchive(recipe: string): Promise<Buffer>;
  /** startDevServers options for this machine, PostgreSQL "already running"; `lines` gets the report. */
  options(overrides?: Partial<DevServersOptions>): DevServersOptions & { lines: string[] };
  /** The DevServerError's message startDevServers fails with. */
  failureOf(options: DevServersOptions): Promise<string>;
}

/** Registers the hooks that set the machine up for each test and tear it down. */
export const useMachineWithoutRedis = (): MachineWithoutRedis => {
  const mirrors: HttpServer[] = [];
  let postgres: Server;
  const machine: MachineWithoutRedis = {
    root: "",
    toolchainPath: "",
    emptyPath: "",
    closedPort: 0,
    postgresPort: 0,
    requests: [],
    async startMirror(respond, tls) {
      const listener: RequestListener = (request, response) => {
        machine.requests.push(request.url ?? "");
        respond(response);
      };
      const mirror = await listen(tls ? createHttpsServer(tls, listener) : createHttpServer(listener));
      mirrors.push(mirror);
      process.env.REDISMS_DOWNLOAD_MIRROR = `${tls ? "https" : "http"}://127.0.0.1:${portOf(mirror)}`;
    },
    serveArchive: (archive) =>
      machine.startMirror((response) => {
        response.writeHead(200, { "content-length": archive.length });
        response.end(archive);
      }),
    async sourceArchive(recipe) {
      const dir = await mkdtemp(join(machine.root, "source-"));
      await mkdir(join(dir, "redis-stable"));
      await writeFile(join(dir, "redis-stable", "Makefile"), `all:\n\t${recipe}\n`);
      const archive = join(dir, "redis-stable.tar.gz");
      await promisify(execFile)("tar", ["-czf", archive, "-C", dir, "redis-stable"]);
      return readFile(archive);
    },
    options(overrides = {}) {
      const lines: string[] = [];
      return {
        production: false,
        dataDir: join(machine.root, `data-${Math.random().toString(36).slice(2)}`),
        postgresPort: machine.postgresPort,
        redisPort: machine.closedPort,
        searchPath: machine.toolchainPath,
        redisSearchDirs: [],
        report: (line) => lines.push(line),
        lines,
        ...overrides,
      };
    },
    async failureOf(options) {
      const failure = await startDevServers(options).catch((error: unknown) => error);
      expect(failure).toBeInstanceOf(DevServerError);
      return (failure as Error).message;
    },
  };

  beforeAll(async () => {
    machine.root = await mkdtemp(join(tmpdir(), "kiln-build-redis-"));
    machine.toolchainPath = join(machine.root, "toolchain");
    machine.emptyPath = join(machine.root, "empty");
    await mkdir(machine.toolchainPath);
    await mkdir(machine.emptyPath);
    await symlink("/usr/bin/make", join(machine.toolchainPath, "make"));
    await symlink("/usr/bin/cc", join(machine.toolchainPath, "cc"));
    postgres = await listen(createServer((socket) => socket.destroy()));
    machine.postgresPort = portOf(postgres);
    const closed = await listen(createServer());
    machine.closedPort = portOf(closed);
    await close(closed);
    delete process.env.REDISMS_DOWNLOAD_URL;
    delete process.env.npm_config_strict_ssl;
  });
  afterAll(async () => {
    await close(postgres);
    await rm(machine.root, { recursive: true, force: true });
  });
  beforeEach(() => {
    machine.requests.length = 0;
    // Never the internet, even on a machine that has it.
    process.env.REDISMS_DOWNLOAD_MIRROR = `http://127.0.0.1:${machine.closedPort}`;
  });
  afterEach(async () => {
    delete process.env.REDISMS_DOWNLOAD_MIRROR;
    await Promise.all(mirrors.splice(0).map(close));
  });
  return machine;
};
