// `npm start`: the API and one worker in one terminal, for a first look. Production runs
// `npm run start:api` and `npm run start:worker` as separate processes (see docker-compose.yml).
import { type ChildProcess, spawn } from "node:child_process";
import { readFile } from "node:fs/promises";
import { join } from "node:path";

const port = process.env.PORT ?? "3000";
const dataDir = process.env.KILN_DATA_DIR ?? ".data";
const children: ChildProcess[] = [];

const start = (name: string, entry: string) => {
  const child = spawn(process.execPath, ["--import", "tsx", entry], {
    stdio: ["ignore", "pipe", "inherit"],
    env: process.env,
  });
  child.stdout?.on("data", (chunk: Buffer) => {
    for (const line of chunk.toString("utf8").split("\n")) {
      if (line.trim() === "") continue;
      if (line.startsWith("KILN_API_LISTENING")) void printWelcome();
      else if (!line.startsWith("KILN_")) process.stdout.write(`[${name}] ${line}\n`);
    }
  });
  child.on("exit", (code, signal) => {
    if (!stopping) {
      process.stderr.write(`[${name}] exited (${signal ?? code}); stopping\n`);
      void stop(1);
    }
  });
  children.push(child);
};

const printWelcome = async () => {
  const token =
    process.env.KILN_ADMIN_TOKEN ??
    (await readFile(join(dataDir, "admin-token"), "utf8").catch(() => "")).trim();
  const base = `http://localhost:${port}`;
  process.stdout.write(`
Kiln is running: API ${base} (docs ${base}/docs), one worker.
Admin token: ${process.env.KILN_ADMIN_TOKEN ? "$KILN_ADMIN_TOKEN" : `${token}  (kept in ${join(dataDir, "admin-token")})`}

Try it (paste into a shell with curl and jq):

  A=${process.env.KILN_ADMIN_TOKEN ? '"$KILN_ADMIN_TOKEN"' : token}
  C=$(curl -s -X POST ${base}/api/companies -H "authorization: Bearer $A" -H 'content-type: application/json' -d '{"name":"Acme"}' | jq -r .id)
  K=$(curl -s -X POST ${base}/api/companies/$C/api-keys -H "authorization: Bearer $A" -H 'content-type: application/json' -d '{"name":"dev"}' | jq -r .key)
  JOB=$(curl -s -X POST ${base}/api/companies/$C/content-jobs -H "authorization: Bearer $K" -H 'content-type: application/json' -d '{"jobType":"markdown.html","input":{"markdown":"# Hi"}}' | jq -r .jobId)
  curl -N ${base}/api/companies/$C/content-jobs/$JOB/events -H "authorization: Bearer $K"

Ctrl-C stops both.
`);
};

let stopping = false;
const stop = async (code = 0) => {
  if (stopping) return;
  stopping = true;
  await Promise.all(
    children.map(
      (child) =>
        new Promise<void>((resolve) => {
          if (child.exitCode !== null) return resolve();
          child.once("exit", () => resolve());
          child.kill("SIGTERM");
        }),
    ),
  );
  process.exit(code);
};
process.on("SIGINT", () => void stop(0));
process.on("SIGTERM", () => void stop(0));

start("api", "apps/api/src/main.ts");
start("worker", "apps/worker/src/main.ts");
