import type { SseEvent } from "@kiln/testkit";
import { expect } from "vitest";
import type { TestHarness } from "../../src/testing/test-harness.ts";

export const submitJob = async (
  h: TestHarness,
  company: { companyId: string; key: string },
  body: unknown,
) => {
  const response = await h.request("POST", `/api/companies/${company.companyId}/content-jobs`, {
    key: company.key,
    body,
  });
  expect(response.status).toBe(202);
  return ((await response.json()) as { jobId: string }).jobId;
};

export const getJob = async (h: TestHarness, company: { companyId: string; key: string }, jobId: string) => {
  const response = await h.request("GET", `/api/companies/${company.companyId}/content-jobs/${jobId}`, {
    key: company.key,
  });
  return (await response.json()) as { status: string; attempts: number; progress: number; error: unknown };
};

export const terminalEvents = (events: SseEvent[]) =>
  events.filter((e) => ["content_job.done", "content_job.failed", "content_job.cancelled"].includes(e.event));
