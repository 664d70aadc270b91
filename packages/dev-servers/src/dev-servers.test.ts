import { access, mkdtemp, rm } from "node:fs/promises";
import { createServer, type Server } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DevServerError } from "./dev-server-error.ts";
import { type DevServersOptions, startDevServers } from "./dev-servers.ts";

const listen = (): Promise<Server> =>
  new Promise((resolve) => {
    const server = createServer((socket) => socket.destroy());
    server.listen(0, "127.0.0.1", () => resolve(server));
  });
const portOf = (server: Server) => {
  const address = server.address();
  if (typeof address !== "object" || !address) throw new Error("not listening");
  return address.port;
};
const exists = (path: string) =>
  access(path).then(
    () => true,
    () => false,
  );

let root: string;
/** Two ports where nothing answers: listened on, then closed. */
let silent: { postgres: number; redis: number };
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), "kiln-dev-servers-"));
  const [a, b] = await Promise.all([listen(), listen()]);
  silent = { postgres: portOf(a), redis: portOf(b) };
  await Promise.all([a, b].map((server) => new Promise((resolve) => server.close(resolve))));
});
afterAll(() => rm(root, { recursive: true, force: true }));

const options = (overrides: Partial<DevServersOptions>): DevServersOptions & { lines: string[] } => {
  const lines: string[] = [];
  return {
    production: false,
    dataDir: join(root, `data-${Math.random().toString(36).slice(2)}`),
    postgresPort: silent.postgres,
    redisPort: silent.redis,
    searchPath: process.env.PATH ?? "",
    report: (line) => lines.push(line),
    lines,
    ...overrides,
  };
};

describe("startDevServers", () => {
  it("uses DATABASE_URL and REDIS_URL as given, starting nothing, even where nothing answers", async () => {
    const given = options({
      databaseUrl: `postgresql://kiln:secret@127.0.0.1:${silent.postgres}/kiln`,
      redisUrl: `redis://127.0.0.1:${silent.redis}/2`,
    });
    const servers = await startDevServers(given);
    expect(servers).toMatchObject({ databaseUrl: given.databaseUrl, redisUrl: given.redisUrl, started: [] });
    expect(given.lines).toEqual([
      `PostgreSQL: using DATABASE_URL (127.0.0.1:${silent.postgres}/kiln)`,
      `Redis: using REDIS_URL (127.0.0.1:${silent.redis}/2)`,
    ]);
    expect(given.lines.join("\n")).not.toContain("secret");
    expect(await exists(given.dataDir)).toBe(false);
  });

  it("uses whatever answers on the default ports when no URL is set", async () => {
    const [postgres, redis] = await Promise.all([listen(), listen()]);
    try {
      const found = options({ postgresPort: portOf(postgres), redisPort: portOf(redis) });
      const servers = await startDevServers(found);
      expect(servers).toMatchObject({
        databaseUrl: `postgresql://postgres@127.0.0.1:${portOf(postgres)}/kiln`,
        redisUrl: `redis://127.0.0.1:${portOf(redis)}`,
        started: [],
      });
      expect(found.lines[0]).toContain("using the server on");
    } finally {
      await Promise.all([postgres, redis].map((server) => new Promise((resolve) => server.close(resolve))));
    }
  });

  it("never starts a server in production: it names the URLs to set", async () => {
    const production = options({ production: true });
    const failure = await startDevServers(production).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(DevServerError);
    expect((failure as Error).message).toContain(
      "NODE_ENV=production never starts an embedded server: set DATABASE_URL",
    );
    expect((failure as Error).message).toContain("set REDIS_URL");
    expect(await exists(production.dataDir)).toBe(false);
  });

  it("without a Redis to run, names the command that gets one and starts nothing", async () => {
    const noRedis = options({ redisServerPath: "/nonexistent/redis-server" });
    const failure = await startDevServers(noRedis).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(DevServerError);
    const { message } = failure as Error;
    expect(message).toContain("KILN_DEV_REDIS_SERVER=/nonexistent/redis-server is not an executable file");
    expect(message).toContain("apt-get install redis-server");
    expect(message).toContain("brew install redis");
    expect(message).toContain(`docker run -d -p ${silent.redis}:6379 redis:7`);
    // Decided before starting anything: no PostgreSQL was initialised for nothing.
    expect(await exists(noRedis.dataDir)).toBe(false);
  });
});
