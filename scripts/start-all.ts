// `npm start`: Kiln in one terminal, for a first look. In order: PostgreSQL and Redis (the URLs when
// set, else whatever answers on the default ports, else an embedded PostgreSQL and the machine's
// redis-server, or one built from source), the migration, then the API and one worker. Ctrl-C
// stops all of it, servers last.
// Production runs `npm run db:migrate`, `npm run start:api` and `npm run start:worker` separately
// (see docker-compose.yml).
import { type ChildProcess, spawn } from "node:child_process";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { ConfigError } from "@kiln/core";
import { DevServerError, type DevServers, startDevServers } from "@kiln/dev-servers";
import { loadStartConfig } from "./start-config.ts";

const startedAt = performance.now();
const children = new Set<ChildProcess>();
const aborted = new AbortController();
let serversStarting: Promise<DevServers> | undefined;
let servers: DevServers | undefined;
let stopping = false;

const say = (line: string) => process.stdout.write(`${line}\n`);

/** Runs a Kiln entry (tsx) with `env`, its output prefixed by `name`; `onLine` sees the KILN_ lines. */
const runKiln = (name: string, entry: string, env: NodeJS.ProcessEnv, onLine?: (line: string) => void) => {
  const child = spawn(process.execPath, ["--import", "tsx", entry], {
    stdio: ["ignore", "pipe", "inherit"],
    env,
  });
  child.stdout?.on("data", (chunk: Buffer) => {
    for (const line of chunk.toString("utf8").split("\n")) {
      if (line.trim() === "") continue;
      if (line.startsWith("KILN_")) onLine?.(line);
      else process.stdout.write(`[${name}] ${line}\n`);
    }
  });
  children.add(child);
  const exited = new Promise<number | null>((resolve) =>
    child.once("exit", (code) => {
      children.delete(child);
      resolve(code);
    }),
  );
  return { child, exited };
};

const printWelcome = async (port: string, dataDir: string, configuredToken: string | undefined) => {
  const tokenFile = join(dataDir, "admin-token");
  const token = configuredToken ?? (await readFile(tokenFile, "utf8").catch(() => "")).trim();
  const base = `http://localhost:${port}`;
  const seconds = ((performance.now() - startedAt) / 1000).toFixed(1);
  say(`
Kiln is running (ready in ${seconds} s): API ${base} (docs ${base}/docs), one worker.
Admin token: ${configuredToken ? "$KILN_ADMIN_TOKEN" : `${token}  (kept in ${tokenFile})`}

Try it (paste into a shell with curl and jq):

  A=${configuredToken ? '"$KILN_ADMIN_TOKEN"' : token}
  C=$(curl -s -X POST ${base}/api/companies -H "authorization: Bearer $A" -H 'content-type: application/json' -d '{"name":"Acme"}' | jq -r .id)
  K=$(curl -s -X POST ${base}/api/companies/$C/api-keys -H "authorization: Bearer $A" -H 'content-type: application/json' -d '{"name":"dev"}' | jq -r .key)
  JOB=$(curl -s -X POST ${base}/api/companies/$C/content-jobs -H "authorization: Bearer $K" -H 'content-type: application/json' -d '{"jobType":"markdown.html","input":{"markdown":"# Hi"}}' | jq -r .jobId)
  curl -N ${base}/api/companies/$C/content-jobs/$JOB/events -H "authorization: Bearer $K"
  curl ${base}/api/companies/$C/content-jobs/$JOB/artifacts/index.html -H "authorization: Bearer $K"

Ctrl-C stops Kiln and the servers it started.
`);
};

/** Kiln's processes first (they finish their jobs), then the servers they were using. */
const shutdown = async (code: number) => {
  if (stopping) return;
  stopping = true;
  aborted.abort();
  await Promise.all(
    [...children].map(
      (child) =>
        new Promise<void>((resolve) => {
          if (child.exitCode !== null || child.signalCode !== null) return resolve();
          child.once("exit", () => resolve());
          child.kill("SIGTERM");
        }),
    ),
  );
  // A start that was cut short stops what it had started before it settles.
  const started = servers ?? (await serversStarting?.catch(() => undefined));
  await started?.stop();
  process.exit(code);
};
process.on("SIGINT", () => void shutdown(0));
process.on("SIGTERM", () => void shutdown(0));
// Should this process die some other way, its servers must not outlive it.
process.on("exit", () => servers?.killNow());

const main = async () => {
  const config = loadStartConfig();
  serversStarting = startDevServers({
    databaseUrl: config.DATABASE_URL,
    redisUrl: config.REDIS_URL,
    production: config.NODE_ENV === "production",
    dataDir: config.KILN_DATA_DIR,
    postgresPort: config.KILN_DEV_PG_PORT,
    redisPort: config.KILN_DEV_REDIS_PORT,
    redisServerPath: config.KILN_DEV_REDIS_SERVER,
    buildRedis: config.KILN_DEV_REDIS_BUILD,
    searchPath: config.PATH,
    report: say,
    signal: aborted.signal,
  });
  servers = await serversStarting;
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    DATABASE_URL: servers.databaseUrl,
    REDIS_URL: servers.redisUrl,
    KILN_DATA_DIR: config.KILN_DATA_DIR,
    STORAGE_DIR: config.STORAGE_DIR ?? join(config.KILN_DATA_DIR, "artifacts"),
  };

  const migration = runKiln("migrate", "packages/db/src/migrate/cli.ts", env);
  const migrated = await migration.exited;
  if (stopping) return;
  if (migrated !== 0) return shutdown(1);

  for (const [name, entry] of [
    ["api", "apps/api/src/main.ts"],
    ["worker", "apps/worker/src/main.ts"],
  ] as const) {
    const { exited } = runKiln(name, entry, env, (line) => {
      const listening = line.match(/^KILN_API_LISTENING port=(\d+)/);
      if (listening?.[1]) void printWelcome(listening[1], config.KILN_DATA_DIR, config.KILN_ADMIN_TOKEN);
    });
    void exited.then((code) => {
      if (stopping) return;
      process.stderr.write(`[${name}] exited (${code}); stopping\n`);
      void shutdown(1);
    });
  }
};

main().catch((error: unknown) => {
  if (stopping) return;
  const known = error instanceof DevServerError || error instanceof ConfigError;
  process.stderr.write(
    `${known ? error.message : `npm start failed: ${error instanceof Error ? error.stack : error}`}\n`,
  );
  void shutdown(1);
});
