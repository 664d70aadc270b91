import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestHarness, type TestHarness } from "../../src/testing/test-harness.ts";
import {
  canaryInput,
  expectProblem,
  failJob,
  finishJob,
  jobFields,
  jobPath,
  missingId,
  submitCanary,
  type TestCompany,
} from "./support.ts";

let h: TestHarness;
let acme: TestCompany;

beforeAll(async () => {
  h = await createTestHarness();
  acme = await h.createCompany("Acme");
});
afterAll(() => h?.close());

const getJob = async (jobId: string) => {
  const response = await h.request("GET", jobPath(acme.companyId, jobId), { key: acme.key });
  expect(response.status).toBe(200);
  expect(response.headers.get("content-type")).toMatch(/^application\/json/);
  return (await response.json()) as Record<string, unknown>;
};

const iso = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

describe("GET /api/companies/:companyId/content-jobs/:jobId", () => {
  it("a queued job: every field of the Job, with its defaults", async () => {
    const jobId = await submitCanary(h, acme, { sourceTaskId: "task-7", priority: 10 });
    const job = await getJob(jobId);
    expect(Object.keys(job).sort()).toEqual(jobFields);
    expect(job).toEqual({
      id: jobId,
      companyId: acme.companyId,
      jobType: "canary",
      status: "queued",
      progress: 0,
      stage: "queued",
      input: { ...canaryInput, failTimes: 0 },
      sourceTaskId: "task-7",
      priority: 10,
      attempts: 0,
      maxAttempts: 3,
      artifacts: [],
      error: null,
      createdAt: expect.stringMatching(iso),
      startedAt: null,
      finishedAt: null,
      updatedAt: expect.stringMatching(iso),
    });
  });

  it("a done job: progress 100, timestamps, and each artifact with its download url", async () => {
    const jobId = await submitCanary(h, acme);
    await finishJob(h, acme.companyId, jobId, "canary.json", '{"ok":true}');
    const job = await getJob(jobId);
    expect(job).toMatchObject({
      status: "done",
      progress: 100,
      attempts: 1,
      error: null,
      startedAt: expect.stringMatching(iso),
      finishedAt: expect.stringMatching(iso),
    });
    expect(job.artifacts).toEqual([
      {
        name: "canary.json",
        contentType: "application/json",
        size: 11,
        sha256: expect.stringMatching(/^[0-9a-f]{64}$/),
        url: `${jobPath(acme.companyId, jobId)}/artifacts/canary.json`,
      },
    ]);
  });

  it("a failed job carries its error {code, message}", async () => {
    const jobId = await submitCanary(h, acme);
    await failJob(h, acme.companyId, jobId);
    const job = await getJob(jobId);
    expect(job).toMatchObject({
      status: "failed",
      error: { code: "boom", message: "it broke" },
      finishedAt: expect.stringMatching(iso),
    });
  });

  it("an unknown job → 404 problem", async () => {
    const problem = await expectProblem(
      await h.request("GET", jobPath(acme.companyId, missingId), { key: acme.key }),
      404,
    );
    expect(problem.title).toBe("Not found");
  });

  it("the queue holds an entry for a submitted job", async () => {
    const jobId = await submitCanary(h, acme);
    expect(["waiting", "lined"]).toContain(await h.services.queues.stateOf("canary", jobId));
  });
});
