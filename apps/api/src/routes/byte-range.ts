import type { ByteRange } from "@kiln/storage";

/** What a `Range` header asks of a representation of `size` bytes (RFC 9110 §14). */
export type RangeRequest =
  /** No range, or one the server may ignore (another unit, several ranges, bad syntax): the whole. */
  | { kind: "whole" }
  | { kind: "partial"; range: ByteRange }
  /** A valid range that no byte satisfies: `416` with `Content-Range: bytes *\/size`. */
  | { kind: "unsatisfiable" };

const whole: RangeRequest = { kind: "whole" };

/**
 * One byte range: `bytes=a-b`, `bytes=a-` or `bytes=-n`. Several ranges are answered whole
 * (allowed: a server may ignore Range) rather than as a multipart body.
 */
export const parseRange = (header: string | undefined, size: number): RangeRequest => {
  // Whitespace first, then one linear pattern: `\s*` beside `\s*` backtracks polynomially.
  const match = header === undefined ? null : /^bytes=(\d*)-(\d*)$/i.exec(header.replace(/\s+/g, ""));
  if (!match) return whole;
  const [, first = "", last = ""] = match;
  if (first === "" && last === "") return whole;
  if (first === "") {
    // A suffix: the last n bytes.
    const length = Number(last);
    if (length === 0 || size === 0) return { kind: "unsatisfiable" };
    return { kind: "partial", range: { start: Math.max(0, size - length), end: size - 1 } };
  }
  const start = Number(first);
  const end = last === "" ? size - 1 : Math.min(Number(last), size - 1);
  if (last !== "" && Number(last) < start) return whole; // invalid: ignored, as RFC 9110 says
  if (start >= size) return { kind: "unsatisfiable" };
  return { kind: "partial", range: { start, end } };
};
