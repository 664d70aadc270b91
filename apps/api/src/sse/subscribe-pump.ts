import type { JobEvent } from "@kiln/core";
import type { EventHub } from "@kiln/queue";
import { EventPump } from "./event-pump.ts";
import { ProgressFilter } from "./monotonic-progress.ts";
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
  const progress = new ProgressFilter();
  const pump = new EventPump({
    write: (event) => {
      if (progress.admits(event)) session.write(event);
    },
    replay,
    accepts,
    isLast,
    onEnd: () => session.end(),
  });
  const unsubscribe = await hub.subscribeCompany(companyId, pump);
  session.onClose(() => {
    unsubscribe();
    pump.end();
  });
  return pump;
};
