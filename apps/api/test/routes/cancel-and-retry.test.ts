import { readSse } from "@kiln/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestHarness, type TestHarness } from "../../src/testing/test-harness.ts";
import {
  expectProblem,
  failJob,
  finishJob,
  jobFields,
  jobPath,
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

const command = (jobId: string, verb: "cancel" | "retry") =>
  h.request("POST", `${jobPath(acme.companyId, jobId)}/${verb}`, { key: acme.key });

const accepted = async (response: Response) => {
  expect(response.status, await response.clone().text()).toBe(202);
  const job = (await response.json()) as Record<string, unknown>;
  expect(Object.keys(job).sort()).toEqual(jobFields);
  return job;
};

const getJob = async (jobId: string) =>
  (await (await h.request("GET", jobPath(acme.companyId, jobId), { key: acme.key })).json()) as Record<
    string,
    unknown
  >;

describe("POST …/content-jobs/:jobId/cancel", () => {
  it("a queued job → 202 with the cancelled Job, which GET then shows; its queue entry is gone", async () => {
    const jobId = await submitCanary(h, acme);
    const job = await accepted(await command(jobId, "cancel"));
    expect(job).toMatchObject({ id: jobId, status: "cancelled", finishedAt: expect.any(String) });
    expect(await getJob(jobId)).toEqual(job);
    expect(await h.services.queues.stateOf("canary", jobId)).toBe("missing");
  });

  it("a cancelled job's event stream is its single snapshot, then it ends", async () => {
    const jobId = await submitCanary(h, acme);
    await accepted(await command(jobId, "cancel"));
    const response = await h.request("GET", `${jobPath(acme.companyId, jobId)}/events`, { key: acme.key });
    expect(response.status).toBe(200);
    const { events, ended } = await readSse(response, { timeoutMs: 5_000 });
    expect(ended).toBe(true);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      event: "content_job.status",
      data: { jobId, companyId: acme.companyId, job: { id: jobId, status: "cancelled" } },
    });
  });

  it("a running job → 202 cancelled", async () => {
    const jobId = await submitCanary(h, acme);
    expect((await h.services.engine.startAttempt(jobId)).kind).toBe("started");
    expect(await accepted(await command(jobId, "cancel"))).toMatchObject({
      status: "cancelled",
      attempts: 1,
    });
  });

  it("cancelling again → 409 problem; the job stays cancelled", async () => {
    const jobId = await submitCanary(h, acme);
    await accepted(await command(jobId, "cancel"));
    const problem = await expectProblem(await command(jobId, "cancel"), 409);
    expect(problem.title).toBe("Conflict");
    expect((await getJob(jobId)).status).toBe("cancelled");
  });

  it("a done or failed job → 409; it keeps its status", async () => {
    const done = await submitCanary(h, acme);
    await finishJob(h, acme.companyId, done, "canary.json", "{}");
    await expectProblem(await command(done, "cancel"), 409);
    expect((await getJob(done)).status).toBe("done");

    const failed = await submitCanary(h, acme);
    await failJob(h, acme.companyId, failed);
    await expectProblem(await command(failed, "cancel"), 409);
    expect((await getJob(failed)).status).toBe("failed");
  });
});

describe("POST …/content-jobs/:jobId/retry", () => {
  it("a cancelled job → 202 queued again, and back in the queue", async () => {
    const jobId = await submitCanary(h, acme);
    await accepted(await command(jobId, "cancel"));
    const job = await accepted(await command(jobId, "retry"));
    expect(job).toMatchObject({ id: jobId, status: "queued", progress: 0, error: null, finishedAt: null });
    expect(await getJob(jobId)).toMatchObject({ status: "queued" });
    expect(["waiting", "lined"]).toContain(await h.services.queues.stateOf("canary", jobId));
  });

  it("a failed job → 202 queued, its error and artifacts cleared", async () => {
    const jobId = await submitCanary(h, acme);
    await failJob(h, acme.companyId, jobId);
    const job = await accepted(await command(jobId, "retry"));
    expect(job).toMatchObject({
      status: "queued",
      error: null,
      artifacts: [],
      finishedAt: null,
      progress: 0,
    });
  });

  it("a retried job can be cancelled and retried again", async () => {
    const jobId = await submitCanary(h, acme);
    await accepted(await command(jobId, "cancel"));
    await accepted(await command(jobId, "retry"));
    await accepted(await command(jobId, "cancel"));
    expect(await accepted(await command(jobId, "retry"))).toMatchObject({ status: "queued" });
  });

  it("a queued job → 409 problem", async () => {
    const jobId = await submitCanary(h, acme);
    const problem = await expectProblem(await command(jobId, "retry"), 409);
    expect(problem.title).toBe("Conflict");
    expect((await getJob(jobId)).status).toBe("queued");
  });

  it("a running or done job → 409; it keeps its status", async () => {
    const running = await submitCanary(h, acme);
    await h.services.engine.startAttempt(running);
    await expectProblem(await command(running, "retry"), 409);
    expect((await getJob(running)).status).toBe("running");

    const done = await submitCanary(h, acme);
    await finishJob(h, acme.companyId, done, "canary.json", "{}");
    await expectProblem(await command(done, "retry"), 409);
    expect((await getJob(done)).status).toBe("done");
  });
});
