import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestHarness, type TestHarness } from "../../src/testing/test-harness.ts";
import {
  canaryInput,
  expectProblem,
  jobPath,
  jobsPath,
  missingId,
  submitCanary,
  type TestCompany,
} from "./support.ts";

let h: TestHarness;
let a: TestCompany;
let b: TestCompany;
let revokedKey: string;
let aJob: string;
let bJob: string;

beforeAll(async () => {
  h = await createTestHarness();
  a = await h.createCompany("A");
  b = await h.createCompany("B");
  const revoked = await h.createCompany("Revoked");
  revokedKey = revoked.key;
  expect(
    (await h.admin("DELETE", `/api/companies/${revoked.companyId}/api-keys/${revoked.keyId}`)).status,
  ).toBe(204);
  aJob = await submitCanary(h, a);
  bJob = await submitCanary(h, b);
});
afterAll(() => h?.close());

/** Every company route, for a company and a job id, with a valid body where one is needed. */
const companyRoutes = (companyId: string, jobId: string) =>
  [
    ["GET", jobsPath(companyId)],
    ["POST", jobsPath(companyId), { jobType: "canary", input: canaryInput }],
    ["GET", jobPath(companyId, jobId)],
    ["POST", `${jobPath(companyId, jobId)}/cancel`],
    ["POST", `${jobPath(companyId, jobId)}/retry`],
    ["GET", `${jobPath(companyId, jobId)}/events`],
    ["GET", `${jobPath(companyId, jobId)}/artifacts/canary.json`],
    ["GET", `/api/companies/${companyId}/events`],
    ["POST", `/api/companies/${companyId}/stream-tokens`],
  ] as [string, string, unknown?][];

const jobCount = async (company: TestCompany) =>
  (
    (await (await h.request("GET", jobsPath(company.companyId), { key: company.key })).json()) as {
      items: unknown[];
    }
  ).items.length;

describe("401: missing, malformed, unknown and revoked credentials look the same", () => {
  const credentials = () =>
    [
      ["no Authorization header", {}],
      ["an empty bearer", { authorization: "Bearer " }],
      ["another scheme", { authorization: `Basic ${Buffer.from("a:b").toString("base64")}` }],
      ["a malformed key", { authorization: "Bearer not-a-key" }],
      ["an unknown key of the right shape", { authorization: `Bearer ${a.key.slice(0, -4)}AAAA` }],
      ["a revoked key", { authorization: `Bearer ${revokedKey}` }],
      ["the admin token", { authorization: `Bearer ${h.adminToken}` }],
    ] as [string, Record<string, string>][];

  it("every company route answers 401 with one identical body, whatever is wrong", async () => {
    const bodies = new Set<string>();
    for (const [label, headers] of credentials()) {
      for (const [method, path, body] of companyRoutes(a.companyId, aJob)) {
        const response = await h.request(method, path, { headers, body });
        expect(response.status, `${label}: ${method} ${path}`).toBe(401);
        const problem = await expectProblem(response, 401);
        expect(problem.status, `${label}: ${method} ${path}`).toBe(401);
        bodies.add(JSON.stringify(problem));
      }
    }
    expect([...bodies]).toHaveLength(1);
    expect(await jobCount(a)).toBe(1);
  });

  it("a company key is 401 on admin routes, the same body again", async () => {
    const missing = await expectProblem(await h.request("GET", jobsPath(a.companyId)), 401);
    const adminRoutes = [
      ["POST", "/api/companies", { name: "X" }],
      ["POST", `/api/companies/${a.companyId}/api-keys`, { name: "X" }],
      ["DELETE", `/api/companies/${a.companyId}/api-keys/${a.keyId}`],
    ] as [string, string, unknown?][];
    for (const [method, path, body] of adminRoutes) {
      expect(await expectProblem(await h.request(method, path, { key: a.key, body }), 401)).toEqual(missing);
    }
    expect((await h.request("GET", jobsPath(a.companyId), { key: a.key })).status).toBe(200);
  });

  it("the Bearer scheme is case-insensitive, the key is not", async () => {
    expect(
      (await h.request("GET", jobsPath(a.companyId), { headers: { authorization: `bearer ${a.key}` } }))
        .status,
    ).toBe(200);
    await expectProblem(await h.request("GET", jobsPath(a.companyId), { key: a.key.toUpperCase() }), 401);
  });
});

describe("403: a key acts only on its own company's paths", () => {
  it("company A's key on every one of company B's routes → 403, and B is untouched", async () => {
    for (const [method, path, body] of companyRoutes(b.companyId, bJob)) {
      const problem = await expectProblem(await h.request(method, path, { key: a.key, body }), 403);
      expect(problem.title, `${method} ${path}`).toBe("Forbidden");
    }
    const job = (await (await h.request("GET", jobPath(b.companyId, bJob), { key: b.key })).json()) as {
      status: string;
    };
    expect(job.status).toBe("queued");
    expect(await jobCount(b)).toBe(1);
  });

  it("403 also on a company id that does not exist or is malformed", async () => {
    await expectProblem(await h.request("GET", jobsPath(missingId), { key: a.key }), 403);
    await expectProblem(await h.request("GET", jobsPath("not-a-company"), { key: a.key }), 403);
  });
});

describe("404: another company's job id under one's own path", () => {
  it.each([
    ["GET", ""],
    ["POST", "/cancel"],
    ["POST", "/retry"],
    ["GET", "/events"],
    ["GET", "/artifacts/canary.json"],
  ])("%s …/content-jobs/<B's job>%s with A's key → 404, B's job unchanged", async (method, suffix) => {
    await expectProblem(
      await h.request(method, `${jobPath(a.companyId, bJob)}${suffix}`, { key: a.key }),
      404,
    );
    const job = (await (await h.request("GET", jobPath(b.companyId, bJob), { key: b.key })).json()) as {
      status: string;
    };
    expect(job.status).toBe("queued");
  });

  it.each([
    ["not-a-uuid"],
    ["12345"],
    [missingId],
    ["00000000-0000-0000-0000-00000000000g"],
    ["%27%3B%20DROP%20TABLE%20content_jobs%3B--"],
  ])("a malformed or unknown job id %s → 404 on every job route, never 500", async (jobId) => {
    for (const [method, suffix] of [
      ["GET", ""],
      ["POST", "/cancel"],
      ["POST", "/retry"],
      ["GET", "/events"],
      ["GET", "/artifacts/canary.json"],
    ]) {
      await expectProblem(
        await h.request(method!, `${jobPath(a.companyId, jobId)}${suffix}`, { key: a.key }),
        404,
      );
    }
  });
});
