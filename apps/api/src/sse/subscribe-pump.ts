import type { EventHub } from "@kiln/queue";
import { EventPump, type StreamSource } from "./event-pump.ts";
import type { EventStreamSession } from "./open-event-stream.ts";

/**
 * The first step of every stream: an event pump subscribed to the company's live events, released
 * when the session ends. Live events are held until `start`.
 */
export const subscribePump = async (
  hub: Pick<EventHub, "subscribeCompany">,
  session: EventStreamSession,
  companyId: string,
  source: StreamSource,
): Promise<EventPump> => {
  const pump = new EventPump(session, source);
  pump.unsubscribe = await hub.subscribeCompany(companyId, pump);
  session.onClose(pump);
  return pump;
};
