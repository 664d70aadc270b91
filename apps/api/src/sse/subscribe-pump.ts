import type { JobEvent } from "@kiln/core";
import type { EventHub } from "@kiln/queue";
import { createEventPump } from "./event-pump.ts";
import { createProgressFilter } from "./monotonic-progress.ts";
import type { EventStreamSession } from "./open-event-stream.ts";

export interface SubscribePumpOptions {
  companyId: string;
  replay(afterId: string): Promise<JobEvent[]>;
  accepts(event: JobEvent): boolean;
  isLast?(event: JobEvent): boolean;
}

/**
 * The first step of every stream: an event pump (progress never backwards) subscribed to the
 * company's live events, released when the session ends. Live events are held until `start`.
 */
export const subscribePump = async (
  { hub }: { hub: Pick<EventHub, "subscribeCompany"> },
  session: EventStreamSession,
  { companyId, replay, accepts, isLast }: SubscribePumpOptions,
) => {
  const progress = createProgressFilter();
  const pump = createEventPump({
    write: async (event) => {
      if (progress.admits(event)) await session.write(event);
    },
    replay,
    accepts,
    isLast,
    onEnd: () => void session.close(),
  });
  const unsubscribe = await hub.subscribeCompany(companyId, pump.listener);
  session.onClose(() => {
    unsubscribe();
    pump.end();
  });
  return pump;
};
