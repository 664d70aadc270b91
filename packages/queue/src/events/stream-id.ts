/** Redis stream ids (`<ms>-<seq>`) order events; these compare and validate them. */
const streamIdPattern = /^(\d{1,20})-(\d{1,20})$/;

export const isStreamId = (value: string): boolean => streamIdPattern.test(value);

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
