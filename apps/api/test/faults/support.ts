import { expect } from "vitest";
import type { SseEvent } from "../../src/testing/read-sse.ts";
import type { TestHarness } from "../../src/testing/test-harness.ts";

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export const waitUntil = async <T>(
  check: () => Promise<T | undefined | false> | T | undefined | false,
  timeoutMs = 20_000,
  what = "condition",
): Promise<T> => {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const value = await check();
    if (value) return value;
    await sleep(50);
  }
  throw new Error(`timed out waiting for ${what}`);
};

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
