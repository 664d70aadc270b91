import { createHash, randomUUID } from "node:crypto";
import { createTestHarness, type TestHarness } from "@kiln/api/testing";
import type { Job, JobSummary } from "@kiln/core";
import { waitUntil } from "@kiln/testkit";
import { afterAll, beforeAll, describe, expect, expectTypeOf, it } from "vitest";
import { KilnTimeoutError } from "./errors.ts";
import { createKilnClient, type KilnClient } from "./kiln-client.ts";
import type { TypedJobEvent } from "./sse/to-job-event.ts";

let h: TestHarness;
let client: KilnClient;
let baseUrl: string;

beforeAll(async () => {
  h = await createTestHarness();
  const [api] = await Promise.all([h.serve(), h.runWorker({ KILN_PROGRESS_INTERVAL_MS: "0" })]);
  baseUrl = api.baseUrl;
  const company = await h.createCompany();
  client = createKilnClient({ baseUrl, apiKey: company.key, companyId: company.companyId });
}, 120_000);
afterAll(() => h?.close());

const collect = async (events: AsyncIterable<TypedJobEvent>) => {
  const seen: TypedJobEvent[] = [];
  for await (const event of events) seen.push(event);
  return seen;
};

describe("submit and follow", { timeout: 90_000 }, () => {
  it("submit answers queued; followJob yields the snapshot, started, progress, done, then ends", async () => {
    const accepted = await client.submit({ jobType: "canary", input: { durationMs: 1_500, steps: 3 } });
    expect(accepted).toMatchObject({
      jobId: expect.any(String),
      status: "queued",
      createdAt: expect.any(String),
    });

    const events = await collect(client.followJob(accepted.jobId));
    const types = events.map((event) => event.type);
    const snapshot = events[0]!;
    if (snapshot.type !== "content_job.status")
      throw new Error(`expected a snapshot first, got ${types.join()}`);
    // The worker may have started the job before the stream opened: the snapshot then says so.
    if (snapshot.data.job.status === "queued") expect(types).toContain("content_job.started");
    else expect(snapshot.data.job.status).toBe("running");
    expect(types.filter((type) => type === "content_job.progress").length).toBeGreaterThanOrEqual(2);
    expect(types.at(-1)).toBe("content_job.done");
    expect(new Set(events.map((event) => event.id)).size).toBe(events.length);
    for (const event of events)
      expect(event.data).toMatchObject({ jobId: accepted.jobId, companyId: client.companyId });

    const progress = events.flatMap((event) =>
      event.type === "content_job.progress" ? [event.data.progress] : [],
    );
    expect([...progress].sort((a, b) => a - b)).toEqual(progress);
    const last = events.at(-1)!;
    if (last.type !== "content_job.done") throw new Error("expected done last");
    expect(last.data.job).toMatchObject({ status: "done", progress: 100, attempts: 1 });
  });

  it("followJob of a finished job yields only its terminal snapshot", async () => {
    const { jobId } = await client.submit({ jobType: "canary", input: { durationMs: 0, steps: 1 } });
    await client.waitForJob(jobId, { timeoutMs: 60_000 });
    const events = await collect(client.followJob(jobId));
    expect(events.map((event) => event.type)).toEqual(["content_job.status"]);
  });

  it("waitForJob returns the final Job, done or failed", async () => {
    const ok = await client.submit({ jobType: "canary", input: { durationMs: 100, steps: 2 } });
    const done = await client.waitForJob(ok.jobId, { timeoutMs: 60_000 });
    expect(done).toMatchObject({ id: ok.jobId, status: "done", progress: 100 });
    expect(done.artifacts.map((artifact) => artifact.name)).toEqual(["canary.json"]);
    expect(await client.getJob(ok.jobId)).toEqual(done);

    const bad = await client.submit({
      jobType: "canary",
      input: { durationMs: 0, steps: 1, failTimes: 1 },
      maxAttempts: 1,
    });
    const failed = await client.waitForJob(bad.jobId, { timeoutMs: 60_000 });
    expect(failed).toMatchObject({ status: "failed", error: { code: "canary_failure" } });
  });

  it("waitForJob gives up with KilnTimeoutError; cancel then ends the job", async () => {
    const { jobId } = await client.submit({ jobType: "canary", input: { durationMs: 10_000, steps: 10 } });
    const started = Date.now();
    await expect(client.waitForJob(jobId, { timeoutMs: 300 })).rejects.toBeInstanceOf(KilnTimeoutError);
    expect(Date.now() - started).toBeLessThan(10_000);

    const cancelled = await client.cancel(jobId);
    expect(cancelled.id).toBe(jobId);
    expect((await client.waitForJob(jobId, { timeoutMs: 60_000 })).status).toBe("cancelled");
  });

  it("an aborted signal ends followJob with the signal's reason", async () => {
    const { jobId } = await client.submit({ jobType: "canary", input: { durationMs: 5_000, steps: 5 } });
    const controller = new AbortController();
    const seen: string[] = [];
    const following = (async () => {
      for await (const event of client.followJob(jobId, { signal: controller.signal })) {
        seen.push(event.type);
        controller.abort(new Error("enough"));
      }
    })();
    await expect(following).rejects.toThrow("enough");
    expect(seen).toEqual(["content_job.status"]);
    await client.cancel(jobId);
  });

  it("followCompany yields every job's events live until aborted", async () => {
    const controller = new AbortController();
    const jobIds = new Set<string>();
    const done = new Set<string>();
    let submitted = false;
    // Events may arrive before `submit` returns (a warm worker is fast): stop only once both jobs
    // are known and done, checked on each event and once more after the submits.
    const stopWhenAllDone = () => {
      if (submitted && [...jobIds].every((jobId) => done.has(jobId))) controller.abort();
    };
    const seen: TypedJobEvent[] = [];
    // No stream of an earlier test still listens, so the one listener awaited below is this one's.
    await waitUntil(() => h.services.hub.stats().listeners === 0, 5_000, "earlier streams released");
    const following = (async () => {
      for await (const event of client.followCompany({ signal: controller.signal })) {
        seen.push(event);
        if (event.type === "content_job.done") done.add(event.data.jobId);
        stopWhenAllDone();
      }
    })();
    // A stream without Last-Event-ID is live once its listener is on the hub (which has then
    // subscribed to the company's channel in Redis).
    await waitUntil(() => h.services.hub.stats().listeners === 1, 5_000, "the company stream live");
    for (const steps of [1, 2])
      jobIds.add((await client.submit({ jobType: "canary", input: { durationMs: 50, steps } })).jobId);
    submitted = true;
    stopWhenAllDone();
    await expect(following).rejects.toMatchObject({ name: "AbortError" });
    const doneJobs = seen
      .filter((event) => event.type === "content_job.done")
      .map((event) => event.data.jobId);
    expect(doneJobs.length).toBeGreaterThanOrEqual(2);
    expect(seen.some((event) => event.type === "content_job.created")).toBe(true);
  });
});

describe("artifacts, lists and the rest", { timeout: 90_000 }, () => {
  it("downloadArtifact: the bytes match the artifact's sha256, with its type and ETag; the stream variant too", async () => {
    const { jobId } = await client.submit({ jobType: "canary", input: { durationMs: 0, steps: 1 } });
    const job = await client.waitForJob(jobId, { timeoutMs: 60_000 });
    const artifact = job.artifacts[0]!;

    const downloaded = await client.downloadArtifact(jobId, artifact.name);
    expect(createHash("sha256").update(downloaded.bytes).digest("hex")).toBe(artifact.sha256);
    expect(downloaded.bytes.byteLength).toBe(artifact.size);
    expect(downloaded.contentType).toBe("application/json");
    expect(downloaded.etag).toBe(`"${artifact.sha256}"`);
    expect(JSON.parse(new TextDecoder().decode(downloaded.bytes))).toMatchObject({ jobId });

    const streamed = await client.downloadArtifactStream(jobId, artifact.name);
    expect(streamed).toMatchObject({
      contentType: "application/json",
      size: artifact.size,
      etag: `"${artifact.sha256}"`,
    });
    const bytes = new Uint8Array(await new Response(streamed.body).arrayBuffer());
    expect(createHash("sha256").update(bytes).digest("hex")).toBe(artifact.sha256);
  });

  it("listJobs pages newest first; iterateJobs reads every page", async () => {
    const sourceTaskId = `task-${randomUUID()}`;
    const submitted: string[] = [];
    for (let index = 0; index < 5; index++) {
      const body = { jobType: "canary", input: { durationMs: 0, steps: 1 }, sourceTaskId } as const;
      submitted.push((await client.submit(body)).jobId);
    }
    const first = await client.listJobs({ sourceTaskId, limit: 2 });
    expect(first.items.map((job) => job.id)).toEqual(submitted.slice(-2).reverse());
    expect(first.nextCursor).toEqual(expect.any(String));

    const all: string[] = [];
    for await (const job of client.iterateJobs({ sourceTaskId, limit: 2 })) all.push(job.id);
    expect(all).toEqual([...submitted].reverse());

    const none: string[] = [];
    for await (const job of client.iterateJobs({ sourceTaskId, status: "cancelled" })) none.push(job.id);
    expect(none).toEqual([]);
  });

  it('listJobs and iterateJobs yield summaries (no input); include: "input" yields whole Jobs', async () => {
    const sourceTaskId = `task-${randomUUID()}`;
    const input = { durationMs: 0, steps: 1 };
    const { jobId } = await client.submit({ jobType: "canary", input, sourceTaskId });

    const summaries = await client.listJobs({ sourceTaskId });
    expectTypeOf(summaries.items).toEqualTypeOf<JobSummary[]>();
    expect(summaries.items.map((job) => job.id)).toEqual([jobId]);
    expect(summaries.items[0]).not.toHaveProperty("input");
    for await (const job of client.iterateJobs({ sourceTaskId })) expect(job).not.toHaveProperty("input");

    const whole = await client.listJobs({ sourceTaskId, include: "input" });
    expectTypeOf(whole.items).toEqualTypeOf<Job[]>();
    expect(whole.items[0]).toMatchObject({ id: jobId, input });
    for await (const job of client.iterateJobs({ sourceTaskId, include: "input" })) {
      expectTypeOf(job).toEqualTypeOf<Job>();
      expect(job.input).toMatchObject(input);
    }
  });

  it("mintStreamToken: a token that opens an SSE route without headers", async () => {
    const { token, expiresAt } = await client.mintStreamToken();
    expect(Date.parse(expiresAt)).toBeGreaterThan(Date.now());
    const controller = new AbortController();
    const response = await fetch(
      `${baseUrl}/api/companies/${client.companyId}/events?access_token=${encodeURIComponent(token)}`,
      { signal: controller.signal },
    );
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toMatch(/^text\/event-stream/);
    controller.abort();
  });

  it("listJobTypes: every registered job type with its input JSON Schema", async () => {
    const jobTypes = await client.listJobTypes();
    expect(jobTypes.map((type) => type.jobType)).toContain("canary");
    const canary = jobTypes.find((type) => type.jobType === "canary")!;
    expect(canary.inputSchema).toMatchObject({ type: "object", required: ["durationMs", "steps"] });
  });
});
