import { type JobEvent, snapshotEvent, streamStart } from "@kiln/core";
import type { JobStore } from "@kiln/db";
import type { EventHub, EventLog } from "@kiln/queue";
import type { StreamSource } from "./event-pump.ts";
import type { EventStreamSession } from "./open-event-stream.ts";
import { resumePosition } from "./resume-position.ts";
import { subscribePump } from "./subscribe-pump.ts";

/** At most this many snapshots are sent when a client resumes from beyond the retention window. */
const resyncSnapshotLimit = 1_000;

/** What a company's stream reads: its events, its live channel, and its active jobs' rows. */
export interface CompanyStreamDeps {
  events: Pick<EventLog, "replayCompany" | "lastCompanyEventId">;
  hub: Pick<EventHub, "subscribeCompany">;
  jobs: Pick<JobStore, "listActiveJobs">;
}

/** Every event of the company is the stream's; it never ends by itself. */
class CompanyEvents implements StreamSource {
  constructor(
    private readonly events: CompanyStreamDeps["events"],
    private readonly companyId: string,
  ) {}
  accepts() {
    return true;
  }
  async replay(afterId: string): Promise<JobEvent[]> {
    return (await this.events.replayCompany(this.companyId, afterId)).events;
  }
  isLast() {
    return false;
  }
}

/**
 * Every event of a company's jobs, live. Resumes after `lastEventId` from the retained stream;
 * when that id is older than the retention, or names no event this stream could have sent
 * (malformed, overflowing, in the future), sends a snapshot of each queued or running job instead:
 * the client's position is unknown either way. Never ends by itself.
 */
export const streamCompanyEvents = async (
  { events, hub, jobs }: CompanyStreamDeps,
  session: EventStreamSession,
  { companyId, lastEventId }: { companyId: string; lastEventId?: string },
): Promise<void> => {
  const pump = await subscribePump(hub, session, companyId, new CompanyEvents(events, companyId));

  const newest = await events.lastCompanyEventId(companyId);
  const position = newest ?? streamStart;
  if (lastEventId === undefined) {
    await pump.start([], position);
    return;
  }
  const resumeAfter = resumePosition(lastEventId, newest);
  if (resumeAfter) {
    const { events: replayed, gap } = await events.replayCompany(companyId, resumeAfter);
    if (!gap) {
      await pump.start(replayed, resumeAfter);
      return;
    }
  }
  const active = await jobs.listActiveJobs(companyId, resyncSnapshotLimit);
  await pump.start(
    active.map((job) => snapshotEvent(position, job)),
    position,
  );
};
