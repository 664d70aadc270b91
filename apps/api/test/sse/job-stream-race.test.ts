import type { Job, JobSummary } from "@kiln/core";
import { readSse } from "@kiln/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestHarness, type TestHarness } from "../../src/testing/test-harness.ts";

let h: TestHarness;
let company: { companyId: string; key: string };
beforeAll(async () => {
  h = await createTestHarness();
  company = await h.createCompany();
});
afterAll(() => h?.close());

const submitCanary = async () => {
  const response = await h.request("POST", `/api/companies/${company.companyId}/content-jobs`, {
    key: company.key,
    body: { jobType: "canary", input: { durationMs: 0, steps: 1 } },
  });
  return ((await response.json()) as { jobId: string }).jobId;
};

/** Finishes a job through the lifecycle engine, as a worker does: the row first, then the event. */
const finishLikeAWorker = async (jobId: string) => {
  const started = await h.services.engine.startAttempt(jobId);
  if (started.kind !== "started") throw new Error(`could not start ${jobId}`);
  await h.services.engine.complete(started.handle, [
    { name: "canary.json", contentType: "application/json", size: 2, sha256: "00" },
  ]);
};

describe("the job stream is race-free", () => {
  it("a job that finishes while its snapshot is being read still ends the stream with content_job.done", async () => {
    const jobId = await submitCanary();
    const { jobs } = h.services;
    const realGetJob = jobs.getJobSummary;
    // The snapshot read (the route's 404 check is the first read) returns the job as it was
    // (queued), and the job finishes right then.
    let reads = 0;
    jobs.getJobSummary = async (companyId: string, id: string): Promise<JobSummary | null> => {
      const snapshot = await realGetJob(companyId, id);
      if (id === jobId && ++reads === 2) {
        jobs.getJobSummary = realGetJob;
        await finishLikeAWorker(jobId);
      }
      return snapshot;
    };
    try {
      const response = await h.request(
        "GET",
        `/api/companies/${company.companyId}/content-jobs/${jobId}/events`,
        {
          key: company.key,
        },
      );
      const { events, ended } = await readSse(response, { timeoutMs: 5_000 });
      expect(ended).toBe(true);
      // The snapshot (queued), then what the attempt published after it: started and done.
      expect(events.map((e) => e.event)).toEqual([
        "content_job.status",
        "content_job.started",
        "content_job.done",
      ]);
      expect((events[0]!.data.job as Job).status).toBe("queued");
    } finally {
      jobs.getJobSummary = realGetJob;
    }
  });

  it("streams opened while jobs race to finish all end (50 jobs)", async () => {
    const ids = await Promise.all(Array.from({ length: 50 }, submitCanary));
    const streams = ids.map(async (jobId, index) => {
      const response = await h.request(
        "GET",
        `/api/companies/${company.companyId}/content-jobs/${jobId}/events`,
        {
          key: company.key,
        },
      );
      const reading = readSse(response, { timeoutMs: 10_000 });
      // Finish half of them at once, the others a moment later, while streams open.
      setTimeout(() => void finishLikeAWorker(jobId), index % 2 === 0 ? 0 : 5);
      return reading;
    });
    const results = await Promise.all(streams);
    for (const { events, ended } of results) {
      expect(ended).toBe(true);
      const last = events.at(-1)!;
      const finished =
        last.event === "content_job.done" ||
        (last.event === "content_job.status" && (last.data.job as Job).status === "done");
      expect(finished).toBe(true);
      expect(new Set(events.map((e) => e.id)).size).toBe(events.length);
    }
  });
});
