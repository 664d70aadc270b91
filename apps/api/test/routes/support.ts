import { expect } from "vitest";
import type { TestHarness } from "../../src/testing/test-harness.ts";

/** A company as `createCompany` returns it. */
export interface TestCompany {
  companyId: string;
  key: string;
  keyId: string;
}

/** A canary input that stays queued forever without a worker. */
export const canaryInput = { durationMs: 0, steps: 1 };

/** A uuid no row has. */
export const missingId = "00000000-0000-4000-8000-000000000000";

export const jobsPath = (companyId: string) => `/api/companies/${companyId}/content-jobs`;
export const jobPath = (companyId: string, jobId: string) => `${jobsPath(companyId)}/${jobId}`;

/** The exact Job shape of DESIGN.md: every field, nothing else. */
export const jobFields = [
  "artifacts",
  "attempts",
  "companyId",
  "createdAt",
  "error",
  "finishedAt",
  "id",
  "input",
  "jobType",
  "maxAttempts",
  "priority",
  "progress",
  "sourceTaskId",
  "stage",
  "startedAt",
  "status",
  "updatedAt",
];

/** A JobSummary, as lists and events carry it (DESIGN.md): the Job without `input`. */
export const jobSummaryFields = jobFields.filter((field) => field !== "input");

export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  errors?: { path: string; message: string }[];
}

/** Asserts an RFC 9457 problem answer with this status and returns its body. */
export const expectProblem = async (response: Response, status: number): Promise<Problem> => {
  const text = await response.text();
  expect(response.status, text).toBe(status);
  expect(response.headers.get("content-type")).toMatch(/^application\/problem\+json/);
  const problem = JSON.parse(text) as Problem;
  expect(problem).toMatchObject({
    type: expect.any(String),
    title: expect.any(String),
    status,
    detail: expect.any(String),
  });
  expect(text).not.toMatch(/\bat .+\.(ts|js):\d+/);
  return problem;
};

/** Paths of a validation problem's `errors[]`, sorted. */
export const errorPaths = (problem: Problem): string[] =>
  (problem.errors ?? []).map((error) => error.path).sort();

/** Submits a canary job and returns its id (expects a 202). */
export const submitCanary = async (
  h: TestHarness,
  company: TestCompany,
  extra: Record<string, unknown> = {},
) => {
  const response = await h.request("POST", jobsPath(company.companyId), {
    key: company.key,
    body: { jobType: "canary", input: canaryInput, ...extra },
  });
  expect(response.status, await response.clone().text()).toBe(202);
  return ((await response.json()) as { jobId: string }).jobId;
};

/** The company's jobs as the list route shows them (first page of 100). */
export const listJobs = async (h: TestHarness, company: TestCompany, query = "") => {
  const response = await h.request("GET", `${jobsPath(company.companyId)}?limit=100${query}`, {
    key: company.key,
  });
  expect(response.status).toBe(200);
  return ((await response.json()) as { items: { id: string }[] }).items;
};

/**
 * Drives a queued job to `done` through the lifecycle engine, as a worker would, with one stored artifact.
 * Route tests need a finished job without the cost (and the moving parts) of a worker process.
 */
export const finishJob = async (
  h: TestHarness,
  companyId: string,
  jobId: string,
  name: string,
  bytes: string,
) => {
  const started = await h.services.engine.startAttempt(jobId);
  if (started.kind !== "started") throw new Error(`the attempt did not start: ${started.reason}`);
  const body = new TextEncoder().encode(bytes);
  const { size, sha256 } = await h.services.artifacts.put({ companyId, jobId, name }, body);
  const contentType = name.endsWith(".html") ? "text/html; charset=utf-8" : "application/json";
  const job = await h.services.engine.complete(started.handle, [{ name, contentType, size, sha256 }]);
  expect(job?.status).toBe("done");
  return job!;
};

/** Drives a queued job to `failed` through the lifecycle engine, as a worker's last attempt would. */
export const failJob = async (h: TestHarness, companyId: string, jobId: string) => {
  const started = await h.services.engine.startAttempt(jobId);
  if (started.kind !== "started") throw new Error(`the attempt did not start: ${started.reason}`);
  const end = await h.services.engine.fail(
    started.handle,
    { code: "boom", message: "it broke" },
    { permanent: true },
  );
  expect(end.kind).toBe("failed");
  const job = await h.services.jobs.getJob(companyId, jobId);
  expect(job?.status).toBe("failed");
  return job!;
};
