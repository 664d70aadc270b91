import type { Job } from "@kiln/core";
import { describe, expect, it } from "vitest";
import { createJobsState, type JobRow } from "./jobs-state.ts";
import type { StreamEvent } from "./live-stream.ts";

const row = (overrides: Partial<JobRow> = {}): JobRow => ({
  id: "a0000000-0000-4000-8000-000000000001",
  companyId: "c",
  jobType: "canary",
  status: "running",
  progress: 40,
  stage: "working",
  sourceTaskId: null,
  priority: 0,
  attempts: 1,
  maxAttempts: 3,
  artifacts: [],
  error: null,
  createdAt: "2026-01-01T00:00:00.000Z",
  startedAt: "2026-01-01T00:00:01.000Z",
  finishedAt: null,
  updatedAt: "2026-01-01T00:00:02.000Z",
  ...overrides,
});

const event = (type: StreamEvent["type"], data: Record<string, unknown>): StreamEvent => ({
  id: "1-0",
  type,
  data: { jobId: row().id, companyId: "c", ...data },
});

describe("the jobs table's state", () => {
  it("a list answer older than an event already applied does not move the job backwards", () => {
    const state = createJobsState();
    state.apply(
      event("content_job.done", {
        job: row({ status: "done", progress: 100, updatedAt: "2026-01-01T00:00:09.000Z" }),
      }),
    );
    state.merge([row()]);
    expect(state.get(row().id)).toMatchObject({ status: "done", progress: 100 });
  });

  it("progress events move the bar forward only, and never revive a terminal job", () => {
    const state = createJobsState();
    state.reset([row()]);
    state.apply(event("content_job.progress", { progress: 70, stage: "rendering" }));
    state.apply(event("content_job.progress", { progress: 50, stage: "late" }));
    expect(state.get(row().id)).toMatchObject({ progress: 70, stage: "late" });
    state.apply(
      event("content_job.cancelled", {
        job: row({ status: "cancelled", updatedAt: "2026-01-01T00:00:05.000Z" }),
      }),
    );
    state.apply(event("content_job.progress", { progress: 90, stage: "after" }));
    // The terminal snapshot is the truth from then on; a straggling progress event changes nothing.
    expect(state.get(row().id)).toMatchObject({ status: "cancelled", progress: 40 });
  });

  it("a created event adds the job; listeners hear every change; rows are newest first", () => {
    const state = createJobsState();
    let changes = 0;
    state.subscribe(() => changes++);
    state.reset([row()]);
    const newer = row({
      id: "a0000000-0000-4000-8000-000000000002",
      status: "queued",
      createdAt: "2026-01-02T00:00:00.000Z",
    });
    state.apply(event("content_job.created", { jobId: newer.id, job: newer as Job }));
    expect(state.rows().map((job) => job.id)).toEqual([newer.id, row().id]);
    expect(changes).toBe(2);
  });
});
