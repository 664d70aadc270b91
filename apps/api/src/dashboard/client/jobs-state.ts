import type { Job } from "@kiln/core";
import { isTerminalStatus } from "@kiln/core/job-status";
import type { StreamEvent } from "./live-stream.ts";

/** A job as lists and events carry it: the dashboard never relies on `input` outside the job view. */
export type JobRow = Omit<Job, "input"> & { input?: unknown };

/**
 * The rows the jobs table shows, kept current by the company stream. A row is only replaced by a
 * snapshot at least as recent (`updatedAt`), so a list answer that raced an event never moves a job
 * backwards; progress never goes down.
 */
export const createJobsState = () => {
  const rows = new Map<string, JobRow>();
  const listeners = new Set<() => void>();
  const changed = () => {
    for (const listener of listeners) listener();
  };

  const upsert = (job: JobRow) => {
    const current = rows.get(job.id);
    if (current && current.updatedAt > job.updatedAt) return false;
    if (current && current.status === job.status)
      job = { ...job, progress: Math.max(current.progress, job.progress) };
    rows.set(job.id, job);
    return true;
  };

  return {
    rows: () => [...rows.values()].sort((a, b) => (a.createdAt < b.createdAt ? 1 : -1)),
    get: (id: string) => rows.get(id),
    subscribe(listener: () => void) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    /** Replaces the rows with a fresh list (a filter changed). */
    reset(jobs: JobRow[]) {
      rows.clear();
      for (const job of jobs) upsert(job);
      changed();
    },
    merge(jobs: JobRow[]) {
      for (const job of jobs) upsert(job);
      changed();
    },
    apply(event: StreamEvent) {
      const { data } = event;
      const job = data.job as JobRow | undefined;
      if (job) {
        if (upsert(job)) changed();
        return;
      }
      const current = rows.get(data.jobId);
      if (!current || isTerminalStatus(current.status)) return;
      if (event.type === "content_job.progress") {
        rows.set(current.id, {
          ...current,
          status: "running",
          progress: Math.max(current.progress, Number(data.progress) || 0),
          stage: String(data.stage ?? current.stage),
        });
      } else if (event.type === "content_job.retrying") {
        const error = data.error as JobRow["error"];
        rows.set(current.id, { ...current, status: "queued", stage: "retrying", progress: 0, error });
      }
      changed();
    },
  };
};

export type JobsState = ReturnType<typeof createJobsState>;
