import { createHash } from "node:crypto";
import { mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { readSse, type SseEvent } from "@kiln/testkit";
import { type RedisCluster, startRedisCluster } from "@kiln/testkit/redis";
import { type S3Server, startS3Server } from "@kiln/testkit/s3";
import { afterAll, beforeAll, expect, it } from "vitest";
import { createTestHarness, type TestHarness } from "../../src/testing/test-harness.ts";
import type { TestCompany } from "./support.ts";

// Kiln spread over "two hosts": two API processes and two worker processes that share no disk —
// each has a local folder of its own — only PostgreSQL, a Redis Cluster of three masters and an
// S3-compatible store. A job submitted to one API, rendered by whichever worker takes it, is
// downloaded from the other API, and both APIs' company streams see it through.

let cluster: RedisCluster;
let s3: S3Server;
let h: TestHarness;
let company: TestCompany;
const folders: string[] = [];

/** A process's own local folder: its `STORAGE_DIR` and data directory, shared with no other. */
const ownFolder = async (name: string) => {
  const folder = await mkdtemp(join(tmpdir(), `kiln-host-${name}-`));
  folders.push(folder);
  return { STORAGE_DIR: folder, KILN_DATA_DIR: folder };
};

beforeAll(async () => {
  [cluster, s3] = await Promise.all([startRedisCluster({ masters: 3 }), startS3Server()]);
  h = await createTestHarness({ redisUrl: cluster.url, env: s3.env({ prefix: "two-hosts" }) });
  company = await h.createCompany("Two hosts");
}, 90_000);
afterAll(async () => {
  await h?.close();
  await Promise.all([cluster?.stop(), s3?.stop()]);
  await Promise.all(folders.map((folder) => rm(folder, { recursive: true, force: true })));
});

const sha256Of = (bytes: Uint8Array) => createHash("sha256").update(bytes).digest("hex");

const call = (baseUrl: string, path: string, init: RequestInit = {}) =>
  fetch(`${baseUrl}${path}`, {
    ...init,
    headers: { authorization: `Bearer ${company.key}`, "content-type": "application/json", ...init.headers },
  });

/** Reads an open company stream until every job in `jobIds` has its done event. */
const readUntilDone = async (response: Response, jobIds: string[]) => {
  const done = new Set<string>();
  const { events } = await readSse(response, {
    timeoutMs: 45_000,
    until: (event: SseEvent) => {
      const jobId = (event.data.jobId ?? event.data.job?.id) as string | undefined;
      if (event.event === "content_job.done" && jobId && jobIds.includes(jobId)) done.add(jobId);
      return done.size === jobIds.length;
    },
  });
  return { events, done };
};

it("a job submitted to API 1 and rendered by either worker downloads from API 2; both APIs' company streams see it", async () => {
  const [api1, api2] = await Promise.all([
    ownFolder("api1").then((folder) => h.startApi(folder)),
    ownFolder("api2").then((folder) => h.startApi(folder)),
  ]);
  await Promise.all([
    ownFolder("worker1").then((folder) => h.startWorker(folder)),
    ownFolder("worker2").then((folder) => h.startWorker(folder)),
  ]);

  // Both company streams are open before the first submit: each must see every job live.
  const streams = await Promise.all(
    [api1, api2].map(({ baseUrl }) => call(baseUrl, `/api/companies/${company.companyId}/events`)),
  );
  for (const stream of streams) expect(stream.status).toBe(200);
  const jobIds: string[] = [];
  for (let i = 0; i < 4; i++) {
    const response = await call(api1.baseUrl, `/api/companies/${company.companyId}/content-jobs`, {
      method: "POST",
      body: JSON.stringify({ jobType: "markdown.html", input: { markdown: `# Host test ${i}\n\nBody.` } }),
    });
    expect(response.status).toBe(202);
    jobIds.push(((await response.json()) as { jobId: string }).jobId);
  }
  const seen = await Promise.all(streams.map((stream) => readUntilDone(stream, jobIds)));
  for (const { done } of seen) expect([...done].sort()).toEqual([...jobIds].sort());

  for (const jobId of jobIds) {
    const job = (await (
      await call(api2.baseUrl, `/api/companies/${company.companyId}/content-jobs/${jobId}`)
    ).json()) as { status: string; artifacts: { name: string; sha256: string; size: number }[] };
    expect(job.status).toBe("done");
    const [artifact] = job.artifacts;
    const download = await call(
      api2.baseUrl,
      `/api/companies/${company.companyId}/content-jobs/${jobId}/artifacts/${artifact!.name}`,
    );
    expect(download.status).toBe(200);
    const bytes = new Uint8Array(await download.arrayBuffer());
    expect(sha256Of(bytes)).toBe(artifact!.sha256);
    expect(new TextDecoder().decode(bytes)).toContain(`Host test ${jobIds.indexOf(jobId)}`);
  }

  // No process wrote an artifact to its own disk: they are in the bucket only.
  for (const folder of folders) {
    const entries = await readdir(folder, { recursive: true });
    expect(entries.filter((entry) => entry.includes(company.companyId))).toEqual([]);
  }
  const stored = s3.requests.filter((request) => request.method === "PUT");
  for (const jobId of jobIds) expect(stored.some((request) => request.url.includes(jobId))).toBe(true);
}, 120_000);
