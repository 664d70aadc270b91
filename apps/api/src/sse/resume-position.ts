import { compareEventIds, parseEventId } from "@kiln/core";

/**
 * Where a stream resumes for a client's `Last-Event-ID`: after that event when it names one this
 * stream could have sent — a well-formed id (see `parseEventId`) no later than the stream's
 * newest event — else `null`, and the stream starts as it would without an id. Both SSE routes
 * decide by this rule alone, so a malformed, overflowing or future id can never fail a read or
 * hold back live events that sort before it.
 */
export const resumePosition = (requested: string | undefined, newest: string | null): string | null => {
  const id = parseEventId(requested);
  if (id === null || newest === null) return null;
  return compareEventIds(id, newest) <= 0 ? id : null;
};
