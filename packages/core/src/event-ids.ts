// Kept free of zod: the client bundles it to order the ids it receives.

/**
 * Event ids are Redis stream ids (`<ms>-<seq>`): they order a company's events, travel as SSE
 * `id:` lines and come back as `Last-Event-ID`. These validate and compare them.
 */
const eventIdPattern = /^(\d{1,20})-(\d{1,20})$/;

/** Each part of a Redis stream id is an unsigned 64-bit integer. */
const maxPart = 2n ** 64n - 1n;

/** Longer than any id Redis can issue (two 20-digit parts and a dash): refused before any parsing. */
const maxIdLength = 41;

/**
 * The one rule for an event id a client sends back (`Last-Event-ID`): `<ms>-<seq>`, each part an
 * unsigned 64-bit integer, returned in canonical form (no leading zeros); anything else is `null`.
 * Redis rejects ids past 64 bits, so an id that passes here never makes a stream read fail.
 */
export const parseEventId = (value: string | null | undefined): string | null => {
  const trimmed = value?.trim();
  if (!trimmed || trimmed.length > maxIdLength) return null;
  const match = eventIdPattern.exec(trimmed);
  if (!match) return null;
  const ms = BigInt(match[1] ?? "");
  const seq = BigInt(match[2] ?? "");
  if (ms > maxPart || seq > maxPart) return null;
  return `${ms}-${seq}`;
};

export const isEventId = (value: string): boolean => parseEventId(value) !== null;

/**
 * Orders two event ids numerically (`-1`, `0`, `1`), exactly for all 64 bits of each part. Both
 * must be event ids (see `isEventId`): ids read from Redis always are.
 */
export const compareEventIds = (a: string, b: string): number => {
  const [aMs = "0", aSeq = "0"] = a.split("-");
  const [bMs = "0", bSeq = "0"] = b.split("-");
  const ms = BigInt(aMs) - BigInt(bMs);
  if (ms !== 0n) return ms < 0n ? -1 : 1;
  const seq = BigInt(aSeq) - BigInt(bSeq);
  return seq === 0n ? 0 : seq < 0n ? -1 : 1;
};

/** The id before every event: a stream read after it starts at the beginning. */
export const streamStart = "0-0";
