import { isTerminalEvent, isTerminalStatus, type JobEvent, snapshotEvent } from "@kiln/core";
import { streamStart } from "@kiln/queue";
import type { Services } from "../services.ts";
import type { EventStreamSession } from "./open-event-stream.ts";
import { resumePosition } from "./resume-position.ts";
import { subscribePump } from "./subscribe-pump.ts";

export interface JobStreamRequest {
  companyId: string;
  jobId: string;
  /** `Last-Event-ID` as the client sent it; absent for a fresh stream. Checked by `resumePosition`. */
  lastEventId?: string;
}

/** Ends the stream after a terminal event, or after a snapshot of a terminal job. */
const endsJobStream = (event: JobEvent): boolean =>
  isTerminalEvent(event.type) ||
  (event.type === "content_job.status" &&
    isTerminalStatus((event as JobEvent<"content_job.status">).data.job.status));

/**
 * One job's stream: subscribe first, then read the snapshot (or replay), so an event published
 * in between is held and written after it — a job finishing at that moment still ends the stream.
 */
export const streamJobEvents = async (
  { events, hub, jobs }: Services,
  session: EventStreamSession,
  { companyId, jobId, lastEventId }: JobStreamRequest,
): Promise<void> => {
  const pump = await subscribePump({ hub }, session, {
    companyId,
    replay: (afterId) => events.replayJob(jobId, afterId),
    accepts: (event) => event.data.jobId === jobId,
    isLast: endsJobStream,
  });

  const newest = await events.lastJobEventId(jobId);
  const resumeAfter = resumePosition(lastEventId, newest);
  if (resumeAfter) {
    const replayed = await events.replayJob(jobId, resumeAfter);
    const job = await jobs.getJobSummary(companyId, jobId);
    if (!job) return session.close();
    const first = [...replayed];
    // The terminal event may have aged out of the job's stream: the snapshot still ends it.
    if (isTerminalStatus(job.status) && !replayed.some((event) => isTerminalEvent(event.type))) {
      first.push(snapshotEvent(replayed.at(-1)?.id ?? resumeAfter, job));
    }
    await pump.start(first, resumeAfter);
    return;
  }
  const position = newest ?? streamStart;
  const job = await jobs.getJobSummary(companyId, jobId);
  if (!job) return session.close();
  await pump.start([snapshotEvent(position, job)], position);
};
