import type { JobEvent } from "@kiln/core";
import { isTerminalEvent } from "@kiln/core";

/**
 * Progress a client sees never goes backwards: a retried attempt starts again from 0, and a
 * replay may repeat what a snapshot already showed. This drops progress events below the
 * highest progress this client has seen for that job.
 */
export const createProgressFilter = () => {
  const highest = new Map<string, number>();
  return {
    /** Records a snapshot's progress. */
    seen(jobId: string, progress: number) {
      highest.set(jobId, Math.max(highest.get(jobId) ?? 0, progress));
    },
    /** `false` when the event would move that job's progress backwards. */
    admits(event: JobEvent): boolean {
      const { jobId } = event.data;
      if (isTerminalEvent(event.type)) {
        highest.delete(jobId);
        return true;
      }
      if (event.type === "content_job.status") {
        const job = (event as JobEvent<"content_job.status">).data.job;
        highest.set(jobId, Math.max(highest.get(jobId) ?? 0, job.progress));
        return true;
      }
      if (event.type !== "content_job.progress") return true;
      const { progress } = (event as JobEvent<"content_job.progress">).data;
      if (progress < (highest.get(jobId) ?? 0)) return false;
      highest.set(jobId, progress);
      return true;
    },
  };
};
