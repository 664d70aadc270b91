/** Redis stream ids (`<ms>-<seq>`) order events; these compare and validate them. */
const streamIdPattern = /^(\d{1,20})-(\d{1,20})$/;

/** Each part of a Redis stream id is an unsigned 64-bit integer. */
const maxPart = 2n ** 64n - 1n;

/** Longer than any id Redis can issue (two 20-digit parts and a dash): refused before any parsing. */
const maxIdLength = 41;

/**
 * The one rule for an event id a client sends back (`Last-Event-ID`): `<ms>-<seq>`, each part an
 * unsigned 64-bit integer, returned in canonical form (no leading zeros); anything else is `null`.
 * Redis rejects ids past 64 bits, so an id that passes here never makes a stream read fail.
 */
export const parseStreamId = (value: string | null | undefined): string | null => {
  const trimmed = value?.trim();
  if (!trimmed || trimmed.length > maxIdLength) return null;
  const match = streamIdPattern.exec(trimmed);
  if (!match) return null;
  const ms = BigInt(match[1] ?? "");
  const seq = BigInt(match[2] ?? "");
  if (ms > maxPart || seq > maxPart) return null;
  return `${ms}-${seq}`;
};

export const isStreamId = (value: string): boolean => parseStreamId(value) !== null;

export const compareStreamIds = (a: string, b: string): number => {
  const [aMs = "0", aSeq = "0"] = a.split("-");
  const [bMs = "0", bSeq = "0"] = b.split("-");
  const ms = BigInt(aMs) - BigInt(bMs);
  if (ms !== 0n) return ms < 0n ? -1 : 1;
  const seq = BigInt(aSeq) - BigInt(bSeq);
  return seq === 0n ? 0 : seq < 0n ? -1 : 1;
};

/** The id before every event. */
export const streamStart = "0-0";
