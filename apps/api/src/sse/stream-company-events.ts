import { snapshotEvent } from "@kiln/core";
import { streamStart } from "@kiln/queue";
import type { Services } from "../services.ts";
import type { EventStreamSession } from "./open-event-stream.ts";
import { subscribePump } from "./subscribe-pump.ts";

/** At most this many snapshots are sent when a client resumes from beyond the retention window. */
const resyncSnapshotLimit = 1_000;

/**
 * Every event of a company's jobs, live. Resumes after `lastEventId` from the retained stream;
 * when that id is older than the retention, sends a snapshot of each queued or running job instead.
 * Never ends by itself.
 */
export const streamCompanyEvents = async (
  { events, hub, jobs }: Services,
  session: EventStreamSession,
  { companyId, lastEventId }: { companyId: string; lastEventId?: string },
): Promise<void> => {
  const pump = await subscribePump({ hub }, session, {
    companyId,
    replay: async (afterId) => (await events.replayCompany(companyId, afterId)).events,
    accepts: () => true,
  });

  if (lastEventId) {
    const { events: replayed, gap } = await events.replayCompany(companyId, lastEventId);
    if (!gap) {
      await pump.start(replayed, lastEventId);
      return;
    }
    const position = (await events.lastCompanyEventId(companyId)) ?? lastEventId;
    const active = await jobs.listActiveJobs(companyId, resyncSnapshotLimit);
    await pump.start(
      active.map((job) => snapshotEvent(position, job)),
      position,
    );
    return;
  }
  await pump.start([], (await events.lastCompanyEventId(companyId)) ?? streamStart);
};
