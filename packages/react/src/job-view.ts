import type { Job, TypedJobEvent } from "@kiln/client";
// Bundled into dist: @kiln/core is not published, and this subpath imports nothing.
import { isTerminalStatus } from "@kiln/core/job-status";

/** A job as streams and lists carry it: `input` only when the source had it (`getJob`). */
export type JobView = Omit<Job, "input"> & { input?: unknown };

/**
 * A job after one of its events: snapshots and terminal events carry the job; a progress event
 * moves a live job's bar forward (never a finished one's, never backwards).
 */
export const applyJobEvent = (job: JobView | undefined, event: TypedJobEvent): JobView | undefined => {
  if ("job" in event.data) {
    const next = event.data.job as JobView;
    return job && job.updatedAt > next.updatedAt ? job : next;
  }
  if (!job || isTerminalStatus(job.status)) return job;
  if (event.type === "content_job.progress") {
    const { progress, stage } = event.data;
    return { ...job, status: "running", progress: Math.max(job.progress, progress), stage };
  }
  if (event.type === "content_job.retrying")
    return { ...job, status: "queued", stage: "retrying", error: event.data.error };
  return job;
};
