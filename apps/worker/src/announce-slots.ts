import { randomUUID } from "node:crypto";
import type { Logger } from "@kiln/core";
import type { JobQueues } from "@kiln/queue";

export interface SlotAnnouncerOptions {
  queues: Pick<JobQueues, "lines" | "dispatch">;
  jobTypes: string[];
  /** Jobs of each type this process runs at once. */
  slots: number;
  logger: Logger;
  /** How often to renew the announcement and dispatch what is due. Default 1 s. */
  intervalMs?: number;
}

/**
 * Tells the fair dispatcher how many slots this worker has for each type it serves (so the queue
 * holds about one ready job per slot, the rest waiting fairly in the companies' lines), and
 * dispatches on a timer — the fallback when no submit or attempt start did it.
 * An announcement lapses after three intervals, so a killed worker's slots stop counting.
 */
export const startSlotAnnouncer = ({
  queues,
  jobTypes,
  slots,
  logger,
  intervalMs = 1_000,
}: SlotAnnouncerOptions) => {
  const workerId = randomUUID();
  const tick = async () => {
    for (const jobType of jobTypes) {
      try {
        await queues.lines.announceSlots(jobType, workerId, slots, intervalMs * 3);
        await queues.dispatch(jobType);
      } catch (error) {
        logger.debug({ err: error, jobType }, "could not announce slots or dispatch; will try again");
      }
    }
  };
  let running = tick();
  const timer = setInterval(() => {
    running = running.then(tick);
  }, intervalMs);
  return {
    /** Resolves once the first announcement was made (or failed). */
    ready: running,
    async close() {
      clearInterval(timer);
      await running;
      await Promise.allSettled(jobTypes.map((jobType) => queues.lines.withdrawSlots(jobType, workerId)));
    },
  };
};
