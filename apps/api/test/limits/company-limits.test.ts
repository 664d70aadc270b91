import { waitUntil } from "@kiln/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestHarness, type TestHarness } from "../../src/testing/test-harness.ts";
import { errorPaths, expectProblem, jobsPath, missingId, type TestCompany } from "../routes/support.ts";
import { limitsPath, parseRateLimitField, setLimits } from "./support.ts";

let h: TestHarness;
let acme: TestCompany;

const defaults = {
  submitsPerSecondPerKey: 20,
  submitBurstPerKey: 40,
  submitsPerSecondPerCompany: 50,
  submitBurstPerCompany: 100,
  readsPerSecondPerKey: 1000,
  readBurstPerKey: 200,
  maxActiveJobs: 10_000,
  maxRunningPerJobType: { "*": 10, "document.pdf": 2 },
  maxOpenStreams: 100,
  maxArtifactBytes: 10 * 1024 ** 3,
};

beforeAll(async () => {
  h = await createTestHarness({
    env: {
      KILN_LIMIT_SUBMITS_PER_SECOND_PER_KEY: "20",
      KILN_LIMIT_SUBMITS_PER_SECOND_PER_COMPANY: "50",
      KILN_LIMIT_READS_PER_SECOND_PER_KEY: "1000",
      KILN_LIMIT_MAX_ACTIVE_JOBS: "10000",
      KILN_LIMIT_MAX_OPEN_STREAMS: "100",
      KILN_LIMIT_MAX_RUNNING_PER_JOB_TYPE: '{"*":10,"document.pdf":2}',
      // Only the change announcement can make an instance see a change within the test's second.
      KILN_LIMITS_CACHE_TTL_MS: "600000",
    },
  });
  acme = await h.createCompany("Acme");
});
afterAll(() => h?.close());

const getLimits = async (companyId: string) => {
  const response = await h.admin("GET", limitsPath(companyId));
  expect(response.status).toBe(200);
  return (await response.json()) as {
    companyId: string;
    limits: typeof defaults;
    overrides: Record<string, unknown>;
  };
};

describe("GET /api/companies/:companyId/limits (admin)", () => {
  it("a company without overrides has the defaults from the environment", async () => {
    const company = await h.createCompany();
    expect(await getLimits(company.companyId)).toEqual({
      companyId: company.companyId,
      limits: defaults,
      overrides: {},
    });
  });

  it("404 for a company that does not exist or a malformed id", async () => {
    await expectProblem(await h.admin("GET", limitsPath(missingId)), 404);
    await expectProblem(await h.admin("GET", limitsPath("not-a-uuid")), 404);
    await expectProblem(await h.admin("PATCH", limitsPath(missingId), { maxOpenStreams: 1 }), 404);
  });
});

describe("PATCH /api/companies/:companyId/limits (admin)", () => {
  it("sets overrides, leaves absent fields alone, and null puts a field back to its default", async () => {
    const company = await h.createCompany();
    const first = await setLimits(h, company.companyId, {
      maxOpenStreams: 3,
      submitsPerSecondPerKey: 5,
      maxArtifactBytes: 2 ** 40,
      maxRunningPerJobType: { "chart.vega": 1 },
    });
    expect(first).toEqual({
      companyId: company.companyId,
      limits: {
        ...defaults,
        maxOpenStreams: 3,
        submitsPerSecondPerKey: 5,
        maxArtifactBytes: 2 ** 40,
        // Caps by job type merge over the default caps.
        maxRunningPerJobType: { "*": 10, "document.pdf": 2, "chart.vega": 1 },
      },
      overrides: {
        maxOpenStreams: 3,
        submitsPerSecondPerKey: 5,
        maxArtifactBytes: 2 ** 40,
        maxRunningPerJobType: { "chart.vega": 1 },
      },
    });

    const second = await setLimits(h, company.companyId, { maxOpenStreams: null, maxRunningPerJobType: 4 });
    expect(second.overrides).toEqual({
      submitsPerSecondPerKey: 5,
      maxArtifactBytes: 2 ** 40,
      maxRunningPerJobType: 4,
    });
    expect(second.limits).toMatchObject({
      maxOpenStreams: 100,
      submitsPerSecondPerKey: 5,
      maxRunningPerJobType: 4,
    });
    expect(await getLimits(company.companyId)).toEqual({ companyId: company.companyId, ...second });

    // Another company is untouched.
    expect((await getLimits(acme.companyId)).overrides).toEqual({});
  });

  it.each([
    ["a negative number", { maxOpenStreams: -1 }, ["maxOpenStreams"]],
    ["a fraction", { submitsPerSecondPerKey: 1.5 }, ["submitsPerSecondPerKey"]],
    ["a zero rate", { readsPerSecondPerKey: 0 }, ["readsPerSecondPerKey"]],
    ["a string", { maxActiveJobs: "10" }, ["maxActiveJobs"]],
    ["bytes beyond a safe integer", { maxArtifactBytes: 2 ** 60 }, ["maxArtifactBytes"]],
    ["a cap of 0 for a job type", { maxRunningPerJobType: { canary: 0 } }, ["maxRunningPerJobType.canary"]],
    [
      "a job type that does not exist",
      { maxRunningPerJobType: { "video.mp4": 1 } },
      ["maxRunningPerJobType.video.mp4"],
    ],
    ["an unknown field", { maxOpenStream: 5 }, [""]],
    [
      "several bad fields",
      { maxOpenStreams: "x", submitBurstPerKey: -2 },
      ["maxOpenStreams", "submitBurstPerKey"],
    ],
  ])("400 for %s, naming it, and nothing changes", async (_, body, paths) => {
    const company = await h.createCompany();
    await setLimits(h, company.companyId, { maxOpenStreams: 7 });
    const before = await getLimits(company.companyId);
    // A valid field next to the bad ones is not applied either.
    const response = await h.admin("PATCH", limitsPath(company.companyId), {
      ...body,
      submitBurstPerCompany: 3,
    });
    const problem = await expectProblem(response, 400);
    expect(problem).toMatchObject({ code: "validation_failed" });
    expect(errorPaths(problem)).toEqual(paths);
    expect(await getLimits(company.companyId)).toEqual(before);
  });

  it("400 for malformed JSON and a body that is not an object, 415 for one that is not JSON", async () => {
    await expectProblem(await h.admin("PATCH", limitsPath(acme.companyId), "{nope"), 400);
    await expectProblem(await h.admin("PATCH", limitsPath(acme.companyId), [1]), 400);
    const form = await h.request("PATCH", limitsPath(acme.companyId), {
      key: h.adminToken,
      body: "maxOpenStreams=1",
      headers: { "content-type": "application/x-www-form-urlencoded" },
    });
    expect([400, 415]).toContain(form.status);
    expect((await getLimits(acme.companyId)).overrides).toEqual({});
  });

  it("only the admin token: a company key (even its own) and no token are 401", async () => {
    for (const key of [acme.key, undefined]) {
      await expectProblem(await h.request("GET", limitsPath(acme.companyId), { key }), 401);
      await expectProblem(
        await h.request("PATCH", limitsPath(acme.companyId), { key, body: { maxOpenStreams: 1000 } }),
        401,
      );
    }
    expect((await getLimits(acme.companyId)).overrides).toEqual({});
  });

  it("a change made through one instance is in force on another within a second", async () => {
    const company = await h.createCompany();
    const other = await h.addApiInstance();
    const policyOn = async (instance: Pick<TestHarness, "request">) => {
      const response = await instance.request("GET", jobsPath(company.companyId), { key: company.key });
      expect(response.status).toBe(200);
      return parseRateLimitField(response.headers.get("ratelimit-policy")).read;
    };
    // Instance B has read (and cached) the company's limits.
    expect(await policyOn(other)).toEqual({ q: 1000, w: 1 });

    const changedAt = performance.now();
    await setLimits(h, company.companyId, { readsPerSecondPerKey: 999 });
    await waitUntil(async () => (await policyOn(other))?.q === 999, 1_000, "the other instance's new policy");
    expect(performance.now() - changedAt).toBeLessThan(1_000);
  });
});

describe("OpenAPI", () => {
  it("documents the limits and usage routes with their schemas", async () => {
    const document = (await (await h.request("GET", "/openapi.json")).json()) as {
      paths: Record<string, Record<string, { responses: Record<string, unknown>; requestBody?: unknown }>>;
      components: { schemas: Record<string, unknown> };
    };
    const limits = document.paths["/api/companies/{companyId}/limits"]!;
    expect(Object.keys(limits).sort()).toEqual(["get", "patch"]);
    expect(limits.patch!.requestBody).toBeDefined();
    expect(Object.keys(limits.patch!.responses)).toEqual(
      expect.arrayContaining(["200", "400", "401", "404"]),
    );
    expect(document.paths["/api/companies/{companyId}/usage"]!.get).toBeDefined();
    expect(document.components.schemas).toHaveProperty("CompanyLimits");
    expect(document.components.schemas).toHaveProperty("CompanyLimitsPatch");
    expect(document.components.schemas).toHaveProperty("CompanyUsage");
    const submit = document.paths["/api/companies/{companyId}/content-jobs"]!.post!;
    expect(submit.responses).toHaveProperty("429");
  });
});
