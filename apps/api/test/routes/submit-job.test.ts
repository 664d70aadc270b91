import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestHarness, type TestHarness } from "../../src/testing/test-harness.ts";
import {
  canaryInput,
  errorPaths,
  expectProblem,
  jobFields,
  jobsPath,
  listJobs,
  type TestCompany,
} from "./support.ts";

let h: TestHarness;
let acme: TestCompany;
/** A company whose every submit in this file is rejected: its list must stay empty. */
let rejected: TestCompany;

beforeAll(async () => {
  h = await createTestHarness();
  acme = await h.createCompany("Acme");
  rejected = await h.createCompany("Rejected");
});
afterAll(async () => {
  if (rejected) expect(await listJobs(h, rejected)).toEqual([]);
  await h?.close();
});

const submitAs = (company: TestCompany, body: unknown, headers: Record<string, string> = {}) =>
  h.request("POST", jobsPath(company.companyId), { key: company.key, body, headers });

const reject = async (body: unknown, status: number, headers: Record<string, string> = {}) => {
  const problem = await expectProblem(await submitAs(rejected, body, headers), status);
  expect(await listJobs(h, rejected)).toEqual([]);
  return problem;
};

describe("POST /api/companies/:companyId/content-jobs accepts a job", () => {
  it("202 {jobId, status: queued, createdAt} with a Location that resolves to the job", async () => {
    const before = Date.now();
    const response = await submitAs(acme, { jobType: "canary", input: canaryInput });
    expect(response.status).toBe(202);
    expect(response.headers.get("content-type")).toMatch(/^application\/json/);
    const accepted = (await response.json()) as { jobId: string; status: string; createdAt: string };
    expect(Object.keys(accepted).sort()).toEqual(["createdAt", "jobId", "status"]);
    expect(accepted.status).toBe("queued");
    expect(accepted.jobId).toMatch(/^[0-9a-f-]{36}$/);
    expect(Date.parse(accepted.createdAt)).toBeGreaterThanOrEqual(before - 1000);

    const location = response.headers.get("location");
    expect(location).toBe(`/api/companies/${acme.companyId}/content-jobs/${accepted.jobId}`);
    const job = (await (await h.request("GET", location!, { key: acme.key })).json()) as Record<
      string,
      unknown
    >;
    expect(Object.keys(job).sort()).toEqual(jobFields);
    expect(job).toMatchObject({
      id: accepted.jobId,
      companyId: acme.companyId,
      jobType: "canary",
      status: "queued",
      createdAt: accepted.createdAt,
      sourceTaskId: null,
      priority: 0,
      maxAttempts: 3,
      attempts: 0,
    });
  });

  it("keeps sourceTaskId, priority and maxAttempts, and trims jobType", async () => {
    const response = await submitAs(acme, {
      jobType: "  canary\t",
      input: canaryInput,
      sourceTaskId: "task-42",
      priority: 100,
      maxAttempts: 10,
    });
    expect(response.status).toBe(202);
    const job = (await (
      await h.request("GET", response.headers.get("location")!, { key: acme.key })
    ).json()) as object;
    expect(job).toMatchObject({ jobType: "canary", sourceTaskId: "task-42", priority: 100, maxAttempts: 10 });
  });

  it("accepts the bounds: priority 0, maxAttempts 1, and other registered job types", async () => {
    expect(
      (await submitAs(acme, { jobType: "canary", input: canaryInput, priority: 0, maxAttempts: 1 })).status,
    ).toBe(202);
    expect((await submitAs(acme, { jobType: "image.card", input: { title: "Hello" } })).status).toBe(202);
  });

  it("accepts a content-type with parameters, and +json types", async () => {
    const body = { jobType: "canary", input: canaryInput };
    expect((await submitAs(acme, body, { "content-type": "application/json; charset=utf-8" })).status).toBe(
      202,
    );
    expect((await submitAs(acme, body, { "content-type": "application/vnd.kiln+json" })).status).toBe(202);
  });
});

describe("jobType", () => {
  it.each([
    ["missing", { input: canaryInput }],
    ["empty", { jobType: "", input: canaryInput }],
    ["whitespace-only", { jobType: " \t\n ", input: canaryInput }],
    ["not a string", { jobType: 7, input: canaryInput }],
    ["null", { jobType: null, input: canaryInput }],
  ])("%s → 400 naming jobType", async (_, body) => {
    const problem = await reject(body, 400);
    expect(errorPaths(problem)).toEqual(["jobType"]);
  });

  it("unknown → 400 naming jobType and the registered ones", async () => {
    const problem = await reject({ jobType: "video.mp4", input: {} }, 400);
    expect(problem.errors).toEqual([{ path: "jobType", message: expect.stringContaining("canary") }]);
  });
});

describe("input is validated by the job type's schema", () => {
  it("lists every violation with its path", async () => {
    const problem = await reject({ jobType: "canary", input: { durationMs: -1, steps: 0 } }, 400);
    expect(errorPaths(problem)).toEqual(["input.durationMs", "input.steps"]);
    for (const error of problem.errors!) expect(error.message.length).toBeGreaterThan(0);
  });

  it("reports wrong types, values over the maximum and missing fields", async () => {
    const problem = await reject(
      { jobType: "canary", input: { durationMs: 600_001, steps: "3", failTimes: 1.5 } },
      400,
    );
    expect(errorPaths(problem)).toEqual(["input.durationMs", "input.failTimes", "input.steps"]);
    const missing = await reject({ jobType: "canary", input: {} }, 400);
    expect(errorPaths(missing)).toEqual(["input.durationMs", "input.steps"]);
  });

  it("a missing or non-object input → 400 naming input", async () => {
    expect(errorPaths(await reject({ jobType: "canary" }, 400))).toEqual(["input"]);
    expect(errorPaths(await reject({ jobType: "canary", input: [1, 2] }, 400))).toEqual(["input"]);
  });

  it("nested paths are dotted: image.card's custom size", async () => {
    const problem = await reject(
      { jobType: "image.card", input: { title: "x", size: { width: 10, height: 99_999 } } },
      400,
    );
    expect(errorPaths(problem)).toEqual(["input.size.height", "input.size.width"]);
  });
});

describe("priority, maxAttempts and sourceTaskId", () => {
  it.each([
    ["priority", -1],
    ["priority", 101],
    ["priority", 1.5],
    ["priority", "5"],
    ["maxAttempts", 0],
    ["maxAttempts", 11],
    ["maxAttempts", 2.5],
    ["sourceTaskId", ""],
    ["sourceTaskId", "x".repeat(201)],
  ])("%s = %j → 400 naming it", async (field, value) => {
    const problem = await reject({ jobType: "canary", input: canaryInput, [field]: value }, 400);
    expect(errorPaths(problem)).toEqual([field]);
  });
});

describe("text the database cannot store is a 400, never a 500", () => {
  it.each([
    ["a NUL in sourceTaskId", { jobType: "canary", input: canaryInput, sourceTaskId: "a\u0000b" }],
    ["a NUL in an input string", { jobType: "image.card", input: { title: "a\u0000b" } }],
    [
      "a NUL in an input key",
      { jobType: "chart.vega", input: { spec: { mark: "bar", data: { values: [{ "a\u0000": 1 }] } } } },
    ],
  ])("%s → 400", async (_, body) => {
    await reject(body, 400);
  });

  it("a lone surrogate escape in an input string → 400", async () => {
    await reject('{"jobType":"image.card","input":{"title":"\\ud800"}}', 400);
  });
});

describe("the body itself", () => {
  const submitRaw = (body: string, headers: Record<string, string>) =>
    h.request("POST", jobsPath(rejected.companyId), { key: rejected.key, body, headers });

  it("malformed JSON → 400 problem", async () => {
    for (const body of ["{", '{"jobType":"canary",}', "", "undefined"]) {
      await expectProblem(await submitRaw(body, { "content-type": "application/json" }), 400);
    }
    expect(await listJobs(h, rejected)).toEqual([]);
  });

  it("JSON that is not an object → 400", async () => {
    for (const body of ["null", "[]", '"canary"', "42"]) {
      await expectProblem(await submitRaw(body, { "content-type": "application/json" }), 400);
    }
  });

  it("not JSON → 415, whatever the body", async () => {
    const json = JSON.stringify({ jobType: "canary", input: canaryInput });
    for (const type of [
      "text/plain",
      "application/x-www-form-urlencoded",
      "multipart/form-data; boundary=x",
      "application/jsonx",
    ]) {
      const problem = await expectProblem(await submitRaw(json, { "content-type": type }), 415);
      expect(problem.title).toBe("Unsupported media type");
    }
    const untyped = await h.app.request(jobsPath(rejected.companyId), {
      method: "POST",
      headers: { authorization: `Bearer ${rejected.key}` },
      body: new TextEncoder().encode(json),
    });
    await expectProblem(untyped, 415);
    expect(await listJobs(h, rejected)).toEqual([]);
  });
});
