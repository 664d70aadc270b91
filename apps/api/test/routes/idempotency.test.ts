import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestHarness, type TestHarness } from "../../src/testing/test-harness.ts";
import { canaryInput, expectProblem, jobsPath, listJobs, type TestCompany } from "./support.ts";

let h: TestHarness;

beforeAll(async () => {
  h = await createTestHarness();
});
afterAll(() => h?.close());

const submit = (company: TestCompany, body: unknown, idempotencyKey?: string) =>
  h.request("POST", jobsPath(company.companyId), {
    key: company.key,
    body,
    headers: idempotencyKey ? { "idempotency-key": idempotencyKey } : {},
  });

const accepted = async (response: Response) => {
  expect(response.status, await response.clone().text()).toBe(202);
  return {
    ...((await response.json()) as { jobId: string; status: string; createdAt: string }),
    location: response.headers.get("location"),
  };
};

describe("Idempotency-Key on POST …/content-jobs", () => {
  it("the same key and body → 202 with the same job both times, and one row", async () => {
    const company = await h.createCompany();
    const body = { jobType: "canary", input: canaryInput, sourceTaskId: "t-1" };
    const first = await accepted(await submit(company, body, "order-1"));
    const second = await accepted(await submit(company, body, "order-1"));
    expect(second).toEqual(first);
    expect(second.status).toBe("queued");
    expect((await listJobs(h, company)).map((job) => job.id)).toEqual([first.jobId]);
  });

  it("the same body written with keys in another order is the same request", async () => {
    const company = await h.createCompany();
    const first = await accepted(
      await submit(company, { jobType: "canary", input: { durationMs: 5, steps: 2 } }, "k"),
    );
    const second = await accepted(
      await submit(company, { input: { steps: 2, durationMs: 5 }, jobType: "canary" }, "k"),
    );
    expect(second.jobId).toBe(first.jobId);
    expect(await listJobs(h, company)).toHaveLength(1);
  });

  it("the same key with a different body → 409 problem; the first job is untouched", async () => {
    const company = await h.createCompany();
    const first = await accepted(await submit(company, { jobType: "canary", input: canaryInput }, "order-2"));
    for (const other of [
      { jobType: "canary", input: { durationMs: 1, steps: 1 } },
      { jobType: "canary", input: canaryInput, priority: 5 },
      { jobType: "image.card", input: { title: "Hi" } },
    ]) {
      const problem = await expectProblem(await submit(company, other, "order-2"), 409);
      expect(problem.title).toBe("Conflict");
    }
    expect((await listJobs(h, company)).map((job) => job.id)).toEqual([first.jobId]);
  });

  it("10 concurrent submits with one key create exactly one job, and all 10 answer with it", async () => {
    const company = await h.createCompany();
    const body = { jobType: "canary", input: canaryInput };
    const responses = await Promise.all(Array.from({ length: 10 }, () => submit(company, body, "burst")));
    const ids = await Promise.all(responses.map(async (response) => (await accepted(response)).jobId));
    expect(new Set(ids).size).toBe(1);
    expect((await listJobs(h, company)).map((job) => job.id)).toEqual([ids[0]]);
  });

  it("keys are per company: two companies may use one key for two jobs", async () => {
    const a = await h.createCompany("A");
    const b = await h.createCompany("B");
    const body = { jobType: "canary", input: canaryInput };
    const fromA = await accepted(await submit(a, body, "shared"));
    const fromB = await accepted(await submit(b, body, "shared"));
    expect(fromB.jobId).not.toBe(fromA.jobId);
    expect(fromB.location).toBe(`/api/companies/${b.companyId}/content-jobs/${fromB.jobId}`);
  });

  it("different keys, or no key, create different jobs", async () => {
    const company = await h.createCompany();
    const body = { jobType: "canary", input: canaryInput };
    const ids = new Set([
      (await accepted(await submit(company, body, "one"))).jobId,
      (await accepted(await submit(company, body, "two"))).jobId,
      (await accepted(await submit(company, body))).jobId,
      (await accepted(await submit(company, body))).jobId,
    ]);
    expect(ids.size).toBe(4);
  });

  it("a rejected request does not use up its key", async () => {
    const company = await h.createCompany();
    await expectProblem(await submit(company, { jobType: "canary", input: { steps: 0 } }, "retry-me"), 400);
    const job = await accepted(await submit(company, { jobType: "canary", input: canaryInput }, "retry-me"));
    expect((await listJobs(h, company)).map((listed) => listed.id)).toEqual([job.jobId]);
  });

  it("a key over 200 characters → 400 naming the header", async () => {
    const company = await h.createCompany();
    const problem = await expectProblem(
      await submit(company, { jobType: "canary", input: canaryInput }, "k".repeat(201)),
      400,
    );
    expect(problem.errors?.map((error) => error.path)).toEqual(["idempotency-key"]);
    expect(await listJobs(h, company)).toEqual([]);
  });

  it("after 24 h a key is forgotten: reusing it creates a new job, and housekeeping deletes expired keys", async () => {
    const company = await h.createCompany();
    const body = { jobType: "canary", input: canaryInput };
    const first = await accepted(await submit(company, body, "daily-report"));
    const pg = await import("pg");
    const client = new pg.default.Client({ connectionString: h.database.url });
    await client.connect();
    try {
      await client.query(
        "UPDATE idempotency_keys SET expires_at = now() - interval '1 second' WHERE key = $1",
        ["daily-report"],
      );
      const second = await accepted(await submit(company, body, "daily-report"));
      expect(second.jobId).not.toBe(first.jobId);
      await client.query("UPDATE idempotency_keys SET expires_at = now() - interval '1 second'");
      expect(await h.services.jobs.deleteExpiredIdempotencyKeys()).toBeGreaterThanOrEqual(1);
      expect((await client.query("SELECT count(*)::int AS n FROM idempotency_keys")).rows[0].n).toBe(0);
    } finally {
      await client.end();
    }
  });
});
