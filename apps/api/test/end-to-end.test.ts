import { readSse } from "@kiln/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestHarness, type TestHarness } from "../src/testing/test-harness.ts";

let h: TestHarness;
let company: { companyId: string; key: string };

beforeAll(async () => {
  h = await createTestHarness();
  company = await h.createCompany();
  await h.runWorker({ WORKER_CONCURRENCY: "2", KILN_PROGRESS_INTERVAL_MS: "0" });
}, 90_000);
afterAll(() => h?.close());

const submit = async (body: unknown) => {
  const response = await h.request("POST", `/api/companies/${company.companyId}/content-jobs`, {
    key: company.key,
    body,
  });
  expect(response.status).toBe(202);
  return ((await response.json()) as { jobId: string }).jobId;
};

const follow = async (jobId: string) => {
  const response = await h.request(
    "GET",
    `/api/companies/${company.companyId}/content-jobs/${jobId}/events`,
    {
      key: company.key,
    },
  );
  expect(response.status).toBe(200);
  expect(response.headers.get("content-type")).toMatch(/^text\/event-stream/);
  expect(response.headers.get("cache-control")).toMatch(/no-cache/);
  expect(response.headers.get("x-accel-buffering")).toBe("no");
  return readSse(response, { timeoutMs: 30_000 });
};

describe("a real worker process renders jobs end to end", () => {
  it("canary: snapshot, started, progress, done, then the stream closes; the artifact downloads", async () => {
    const jobId = await submit({ jobType: "canary", input: { durationMs: 600, steps: 4 } });
    const { events, ended } = await follow(jobId);
    expect(ended).toBe(true);
    const names = events.map((event) => event.event);
    expect(names[0]).toBe("content_job.status");
    // A warm worker may start the job before this stream opens: the snapshot then says so.
    const snapshot = (events[0]!.data.job as { status: string }).status;
    if (snapshot === "queued") expect(names).toContain("content_job.started");
    else expect(snapshot).toBe("running");
    expect(names.filter((name) => name === "content_job.progress").length).toBeGreaterThanOrEqual(2);
    expect(names.at(-1)).toBe("content_job.done");
    for (const event of events) {
      expect(event.id).toMatch(/^\d+-\d+$/);
      expect(event.data.jobId).toBe(jobId);
      expect(event.data.companyId).toBe(company.companyId);
    }
    const progress = events
      .filter((e) => e.event === "content_job.progress")
      .map((e) => e.data.progress as number);
    expect([...progress].sort((a, b) => a - b)).toEqual(progress);

    const done = events.at(-1)!.data.job as {
      status: string;
      progress: number;
      attempts: number;
      artifacts: { name: string; url: string; sha256: string; size: number }[];
    };
    expect(done).toMatchObject({ status: "done", progress: 100, attempts: 1 });
    const artifact = done.artifacts[0]!;
    expect(artifact.name).toBe("canary.json");
    const download = await h.request("GET", artifact.url, { key: company.key });
    expect(download.status).toBe(200);
    expect(download.headers.get("content-type")).toBe("application/json");
    expect(download.headers.get("content-length")).toBe(String(artifact.size));
    expect(download.headers.get("etag")).toBe(`"${artifact.sha256}"`);
    expect(JSON.parse(await download.text())).toMatchObject({ jobId });
  });

  it("markdown.html: sanitized standalone page", async () => {
    const jobId = await submit({
      jobType: "markdown.html",
      input: { markdown: "# Hi\n\n<script>alert(1)</script>\n\n[x](javascript:alert(1))", title: "Hello" },
    });
    const { events } = await follow(jobId);
    expect(events.at(-1)?.event).toBe("content_job.done");
    const job = (await (
      await h.request("GET", `/api/companies/${company.companyId}/content-jobs/${jobId}`, {
        key: company.key,
      })
    ).json()) as {
      status: string;
      artifacts: { url: string }[];
    };
    expect(job.status).toBe("done");
    const html = await (await h.request("GET", job.artifacts[0]!.url, { key: company.key })).text();
    expect(html).toMatch(/^<!doctype html>/i);
    expect(html).toContain("<h1");
    expect(html).not.toMatch(/<script/i);
    expect(html).not.toMatch(/javascript:/i);
  });

  it("a stream of a job that is already done ends right after its snapshot", async () => {
    const jobId = await submit({ jobType: "canary", input: { durationMs: 0, steps: 1 } });
    await follow(jobId);
    const { events, ended } = await follow(jobId);
    expect(ended).toBe(true);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ event: "content_job.status", data: { job: { status: "done" } } });
  });

  it("a job that fails its first attempts is retried and counts each attempt", async () => {
    const jobId = await submit({
      jobType: "canary",
      input: { durationMs: 0, steps: 1, failTimes: 2 },
      maxAttempts: 3,
    });
    const { events } = await follow(jobId);
    const retrying = events.filter((e) => e.event === "content_job.retrying");
    expect(retrying.map((e) => e.data.attempt)).toEqual([2, 3]);
    expect(retrying[0]!.data.error).toMatchObject({ code: "canary_failure" });
    expect(events.at(-1)).toMatchObject({ event: "content_job.done", data: { job: { attempts: 3 } } });
  });

  it("a job that fails every attempt ends failed with its error", async () => {
    const jobId = await submit({
      jobType: "canary",
      input: { durationMs: 0, steps: 1, failTimes: 5 },
      maxAttempts: 2,
    });
    const { events } = await follow(jobId);
    expect(events.at(-1)).toMatchObject({
      event: "content_job.failed",
      data: { job: { status: "failed", attempts: 2, error: { code: "canary_failure" } } },
    });
  });
});
