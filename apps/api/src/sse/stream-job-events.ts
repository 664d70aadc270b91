import {
  endsJobStream,
  isTerminalStatus,
  type JobEvent,
  type JobSummary,
  snapshotEvent,
  streamStart,
} from "@kiln/core";
import type { JobStore } from "@kiln/db";
import type { EventHub, EventLog } from "@kiln/queue";
import type { EventStreamSession } from "./open-event-stream.ts";
import { resumePosition } from "./resume-position.ts";
import { subscribePump } from "./subscribe-pump.ts";

/** What one job's stream reads: its events, the company's live channel, and the job's row. */
export interface JobStreamDeps {
  events: Pick<EventLog, "replayJob" | "lastJobEventId">;
  hub: Pick<EventHub, "subscribeCompany">;
  jobs: Pick<JobStore, "getJobSummary">;
}

export interface JobStreamRequest {
  companyId: string;
  jobId: string;
  /** `Last-Event-ID` as the client sent it; absent for a fresh stream. Checked by `resumePosition`. */
  lastEventId?: string;
}

/**
 * Whether an event the stream read *before* the job's row is the job's current end. A job retried
 * by hand lives past its terminal event, so a terminal event (or terminal snapshot) is the end only
 * when it reports the ending the row shows: the same status and `finishedAt` (each ending stamps a
 * new one, a retry clears it, and every terminal event carries the row its transition returned).
 * An older terminal event is history: it is replayed like any other event, and the stream goes on.
 */
const isCurrentEnd = (event: JobEvent, job: JobSummary): boolean => {
  if (!endsJobStream(event)) return false;
  const ended = (event as JobEvent<"content_job.status">).data.job;
  return ended.status === job.status && ended.finishedAt === job.finishedAt;
};

/**
 * One job's stream: subscribe first, then read the snapshot (or replay), so an event published
 * in between is held and written after it — a job finishing at that moment still ends the stream.
 *
 * What ends it: among the replay (read before the row), the job's current end (`isCurrentEnd`);
 * after it, live, the first terminal event — published after the row was read, it belongs to the
 * life the row shows or a later one. (A retry within the few ms between the replay and the row
 * read is not told apart: its old terminal event, arriving live, ends the stream as before.)
 */
export const streamJobEvents = async (
  { events, hub, jobs }: JobStreamDeps,
  session: EventStreamSession,
  { companyId, jobId, lastEventId }: JobStreamRequest,
): Promise<void> => {
  const pump = await subscribePump({ hub }, session, {
    companyId,
    replay: (afterId) => events.replayJob(companyId, jobId, afterId),
    accepts: (event) => event.data.jobId === jobId,
    isLast: endsJobStream,
  });

  const newest = await events.lastJobEventId(companyId, jobId);
  const resumeAfter = resumePosition(lastEventId, newest);
  if (resumeAfter) {
    const replayed = await events.replayJob(companyId, jobId, resumeAfter);
    const job = await jobs.getJobSummary(companyId, jobId);
    if (!job) return session.close();
    const end = replayed.findIndex((event) => isCurrentEnd(event, job));
    if (end >= 0) {
      await pump.start(replayed.slice(0, end + 1), resumeAfter, { last: true });
      return;
    }
    if (isTerminalStatus(job.status)) {
      // Its terminal event aged out of the job's stream, or is not appended yet: the snapshot ends it.
      const snapshot = snapshotEvent(replayed.at(-1)?.id ?? resumeAfter, job);
      await pump.start([...replayed, snapshot], resumeAfter, { last: true });
      return;
    }
    await pump.start(replayed, resumeAfter);
    return;
  }
  const position = newest ?? streamStart;
  const job = await jobs.getJobSummary(companyId, jobId);
  if (!job) return session.close();
  await pump.start([snapshotEvent(position, job)], position, { last: isTerminalStatus(job.status) });
};
