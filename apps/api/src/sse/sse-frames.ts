import type { JobEvent } from "@kiln/core";
import type { StreamEnding } from "./sse-registry.ts";

// An SSE stream's bytes. A live event reaches every stream of its company that accepts it: it is
// serialised and encoded once per process (cached on the event object, which the event hub hands to
// every listener), not once per stream, and every stream writes the same bytes.

const frames = new WeakMap<JobEvent, Uint8Array>();

/**
 * The frame of one event: `event:`, `data:` (its JSON, which never holds a line break: JSON
 * escapes them), `id:`. Computed once per event object.
 */
export const eventFrame = (event: JobEvent): Uint8Array => {
  let frame = frames.get(event);
  if (frame === undefined) {
    if (/[\r\n]/.test(event.id) || /[\r\n]/.test(event.type))
      throw new Error("an event's id and type must not contain line breaks");
    frame = Buffer.from(`event: ${event.type}\ndata: ${JSON.stringify(event.data)}\nid: ${event.id}\n\n`);
    frames.set(event, frame);
  }
  return frame;
};

/** The first bytes of every stream: a comment that flushes the headers through any proxy. */
export const connectedFrame: Uint8Array = Buffer.from(": connected\n\n");

/** The heartbeat, a comment every stream is sent every `KILN_SSE_PING_MS`. */
export const pingFrame: Uint8Array = Buffer.from(": ping\n\n");

/** The last words of a stream the server ends: why, and (`retry:`) how soon to reconnect. */
export const closingFrame = ({ reason, retryMs }: StreamEnding): Uint8Array =>
  Buffer.from(`${retryMs === undefined ? "" : `retry: ${retryMs}\n`}: closed: ${reason}\n\n`);
