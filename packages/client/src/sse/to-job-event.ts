import { type JobEvent, type JobEventType, jobEventDataSchemas } from "@kiln/core";
import type { EventSourceMessage } from "eventsource-parser";
import { KilnProtocolError } from "../errors.ts";

/** A job event whose `data` narrows with its `type` (`event.type === "content_job.progress"` → `data.progress`). */
export type TypedJobEvent = { [T in JobEventType]: JobEvent<T> }[JobEventType];

const isJobEventType = (name: string): name is JobEventType => name in jobEventDataSchemas;

/**
 * Checks one SSE message against core's event schemas. Returns `undefined` for an event type this
 * client does not know (a newer server), so it can be skipped rather than break the stream.
 */
export const toJobEvent = (message: EventSourceMessage): TypedJobEvent | undefined => {
  const type = message.event ?? "message";
  if (!isJobEventType(type)) return undefined;
  if (!message.id) throw new KilnProtocolError(`A ${type} event arrived without an id`);
  let data: unknown;
  try {
    data = JSON.parse(message.data);
  } catch (error) {
    throw new KilnProtocolError(`A ${type} event's data is not JSON`, { cause: error });
  }
  const checked = jobEventDataSchemas[type].safeParse(data);
  if (!checked.success) {
    throw new KilnProtocolError(`A ${type} event does not match its schema: ${checked.error.message}`);
  }
  // The original data, not zod's copy: a newer server's extra fields reach the caller too.
  return { id: message.id, type, data } as TypedJobEvent;
};
