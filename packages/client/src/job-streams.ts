import type { Job } from "@kiln/core";
import { companyPath, jobPath } from "@kiln/core/api-paths";
import { endsJobStream } from "@kiln/core/event-types";
import { KilnProtocolError, KilnTimeoutError } from "./errors.ts";
import { type FollowOptions, followEventStream } from "./sse/follow-event-stream.ts";
import type { TypedJobEvent } from "./sse/to-job-event.ts";
import type { Transport } from "./transport.ts";

/** Options of `waitForJob`. */
export interface WaitForJobOptions extends FollowOptions {
  /** Give up with `KilnTimeoutError` after this long, in ms. Default: wait as long as the job runs. */
  timeoutMs?: number;
}

/** The SSE side of the client: following one job or the whole company, and waiting for a job. */
export const createJobStreams = (transport: Transport, companyId: string) => {
  const getWholeJob = (jobId: string, signal?: AbortSignal) =>
    transport.json<Job>({
      method: "GET",
      path: jobPath(companyId, jobId),
      signal,
      retryable: true,
    });

  const followJob = (jobId: string, options?: FollowOptions): AsyncIterable<TypedJobEvent> => ({
    [Symbol.asyncIterator]: () =>
      followEventStream(
        transport,
        { path: `${jobPath(companyId, jobId)}/events`, canEnd: endsJobStream },
        options,
      ),
  });

  const followCompany = (options?: FollowOptions): AsyncIterable<TypedJobEvent> => ({
    [Symbol.asyncIterator]: () =>
      followEventStream(
        transport,
        { path: `${companyPath(companyId)}/events`, canEnd: () => false },
        options,
      ),
  });

  const waitForJob = async (jobId: string, options: WaitForJobOptions = {}): Promise<Job> => {
    const { timeoutMs, ...follow } = options;
    const deadline = timeoutMs === undefined ? undefined : AbortSignal.timeout(timeoutMs);
    const signals = [options.signal, deadline].filter(
      (signal): signal is AbortSignal => signal !== undefined,
    );
    const signal = signals.length > 0 ? AbortSignal.any(signals) : undefined;
    let last: TypedJobEvent | undefined;
    try {
      // Not the first terminal event: a resumed stream replays the ones a retry by hand made history.
      for await (const event of followJob(jobId, { ...follow, signal })) last = event;
      // Events carry the Job without its input: the whole Job is read once the job has ended.
      if (last && endsJobStream(last)) return await getWholeJob(jobId, signal);
    } catch (error) {
      if (deadline?.aborted && !options.signal?.aborted) {
        throw new KilnTimeoutError(`Job ${jobId} did not finish within ${timeoutMs} ms`);
      }
      throw error;
    }
    throw new KilnProtocolError(`The stream of job ${jobId} ended without a terminal event`);
  };

  return {
    /**
     * Every event of one job as it happens: first a `content_job.status` snapshot, then live events;
     * ends after the job's terminal event (or at once after the snapshot of a finished job).
     * Resumed with `lastEventId` from before a failure that was retried by hand, it yields the old
     * terminal event and goes on to the job's current end: the follow ends when the server ends the
     * stream. Reconnects with `Last-Event-ID` when the connection drops, so no event is lost or repeated.
     */
    followJob,
    /** Every event of every job of the company, live; never ends by itself (use `signal`). Reconnects like `followJob`. */
    followCompany,
    /**
     * Follows a job until it is done, failed or cancelled, and returns the final Job (any of the
     * three), input included: read with one `GET` once its stream has ended.
     */
    waitForJob,
  };
};
