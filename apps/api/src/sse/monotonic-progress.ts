import type { JobEvent } from "@kiln/core";
import { isTerminalEvent } from "@kiln/core";

/**
 * Progress a client sees never goes backwards: a retried attempt starts again from 0, and a
 * replay may repeat what a snapshot already showed. This drops progress events below the
 * highest progress this client has seen for that job. One per open stream: its map is made only
 * once the stream sees a job's progress.
 */
export class ProgressFilter {
  #highest: Map<string, number> | undefined;

  #raise(jobId: string, progress: number) {
    this.#highest ??= new Map();
    this.#highest.set(jobId, Math.max(this.#highest.get(jobId) ?? 0, progress));
  }

  /** `false` when the event would move that job's progress backwards. */
  admits(event: JobEvent): boolean {
    const { jobId } = event.data;
    if (isTerminalEvent(event.type)) {
      this.#highest?.delete(jobId);
      return true;
    }
    if (event.type === "content_job.status") {
      this.#raise(jobId, (event as JobEvent<"content_job.status">).data.job.progress);
      return true;
    }
    if (event.type !== "content_job.progress") return true;
    const { progress } = (event as JobEvent<"content_job.progress">).data;
    if (progress < (this.#highest?.get(jobId) ?? 0)) return false;
    this.#raise(jobId, progress);
    return true;
  }
}
