import type { TypedJobEvent } from "@kiln/client";
import { isTerminalStatus } from "@kiln/core/job-status";
import { useEffect, useState } from "react";
import { applyJobEvent, type JobView } from "./job-view.ts";
import { useKilnClient } from "./kiln-provider.ts";

export interface KilnJobState {
  /** The job as its stream last described it; `undefined` until the first snapshot. */
  job: JobView | undefined;
  /** The job's events so far, oldest first (at most `maxEvents`, the newest kept). */
  events: TypedJobEvent[];
  /** Why following stopped, when it stopped on an error (an unknown job: a `KilnApiError` 404). */
  error: unknown;
  /** The job reached a terminal status. */
  finished: boolean;
}

export interface UseKilnJobOptions {
  /** How many events `events` keeps. Default 200. */
  maxEvents?: number;
}

const initial: KilnJobState = { job: undefined, events: [], error: undefined, finished: false };

/**
 * Follows one job live (`client.followJob`: a snapshot first, then every event, resumed with
 * `Last-Event-ID` after a dropped connection) and re-renders on each event. Stops at the job's
 * terminal event, when `jobId` changes, or on unmount. `undefined` follows nothing.
 */
export const useKilnJob = (
  jobId: string | undefined,
  { maxEvents = 200 }: UseKilnJobOptions = {},
): KilnJobState => {
  const client = useKilnClient();
  const [state, setState] = useState<KilnJobState>(initial);

  useEffect(() => {
    setState(initial);
    if (!jobId) return;
    const controller = new AbortController();
    const follow = async () => {
      try {
        for await (const event of client.followJob(jobId, { signal: controller.signal })) {
          setState((previous) => {
            const job = applyJobEvent(previous.job, event);
            return {
              job,
              events: [...previous.events, event].slice(-maxEvents),
              error: undefined,
              finished: job !== undefined && isTerminalStatus(job.status),
            };
          });
        }
      } catch (error) {
        if (!controller.signal.aborted) setState((previous) => ({ ...previous, error }));
      }
    };
    void follow();
    return () => controller.abort();
  }, [client, jobId, maxEvents]);

  return state;
};
