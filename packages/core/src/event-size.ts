import type { JobError } from "./job.ts";

/**
 * What keeps an event's size independent of what a tenant submits. `input` never travels in an
 * event or a list; the texts a renderer or an error fills (which may quote the input) are cut to
 * these sizes, counted in bytes of their JSON encoding, the form they take in Redis.
 */
export const eventSizeLimits = {
  /** `stage` of a job and of a progress event. */
  stageBytes: 64,
  /** `message` of a progress event. */
  progressMessageBytes: 256,
  /** `error.code` of a job or a retrying event. */
  errorCodeBytes: 64,
  /** `error.message` of a job or a retrying event. */
  errorMessageBytes: 1024,
  /** One artifact's `metadata`, as JSON. Past it, see `boundArtifactMetadata`. */
  artifactMetadataBytes: 4096,
  /** Distinct artifacts one job may record. */
  artifactsPerJob: 4,
  /** Progress reports persisted and published per attempt; later ones are dropped. */
  progressReportsPerAttempt: 128,
} as const;

/**
 * The largest `data` of any event, in bytes of JSON: the limits above, plus the fixed fields, a
 * 200-character `sourceTaskId` escaped at worst (6 bytes a character) and 128-character artifact
 * names. A test builds the largest event the limits allow and checks it against this.
 */
export const maxEventDataBytes = 24 * 1024;

const encoder = new TextEncoder();

/** Bytes of `value` as JSON (UTF-8), as it is stored in Redis and sent on SSE. */
export const jsonBytes = (value: unknown): number =>
  encoder.encode(JSON.stringify(value) ?? "null").byteLength;

const ellipsis = "…";
const ellipsisBytes = 3;

/** Bytes one character (a code point, or a lone surrogate) takes inside a JSON string. */
const jsonCharBytes = (char: string): number => jsonBytes(char) - 2;

/**
 * `text` when its JSON encoding (without quotes) fits in `maxBytes`, otherwise its longest prefix
 * that fits with a trailing `…`. Never splits a surrogate pair.
 */
export const truncateText = (text: string, maxBytes: number): string => {
  if (text.length * 6 <= maxBytes || jsonBytes(text) - 2 <= maxBytes) return text;
  let used = 0;
  let end = 0;
  for (const char of text) {
    const bytes = jsonCharBytes(char);
    if (used + bytes > maxBytes - ellipsisBytes) break;
    used += bytes;
    end += char.length;
  }
  return `${text.slice(0, end)}${ellipsis}`;
};

export const boundJobError = (error: JobError): JobError => ({
  code: truncateText(error.code, eventSizeLimits.errorCodeBytes),
  message: truncateText(error.message, eventSizeLimits.errorMessageBytes),
});

/**
 * `metadata` as it is when its JSON fits in `maxBytes`. Otherwise `truncated: true` and, field by
 * field in order, what still fits: a field whole, an array cut to the items that fit, and any
 * other field that does not fit dropped. Renderer metadata grows with the input (headings,
 * blocked requests) in its arrays, so their first entries are kept.
 */
export const boundArtifactMetadata = (
  metadata: Record<string, unknown>,
  maxBytes: number = eventSizeLimits.artifactMetadataBytes,
): Record<string, unknown> => {
  if (jsonBytes(metadata) <= maxBytes) return metadata;
  const bounded: Record<string, unknown> = {};
  // `{}` plus `"truncated":true` and its comma.
  let used = 2 + jsonBytes("truncated") + 1 + jsonBytes(true) + 1;
  for (const [key, value] of Object.entries(metadata)) {
    if (key === "truncated" || value === undefined) continue;
    const keyBytes = jsonBytes(key) + 2; // the colon and the comma
    if (!Array.isArray(value)) {
      const bytes = keyBytes + jsonBytes(value);
      if (used + bytes <= maxBytes) {
        bounded[key] = value;
        used += bytes;
      }
      continue;
    }
    let arrayBytes = 2;
    let kept = 0;
    for (const item of value) {
      const itemBytes = jsonBytes(item) + (kept > 0 ? 1 : 0);
      if (used + keyBytes + arrayBytes + itemBytes > maxBytes) break;
      arrayBytes += itemBytes;
      kept++;
    }
    if (used + keyBytes + arrayBytes <= maxBytes) {
      bounded[key] = value.slice(0, kept);
      used += keyBytes + arrayBytes;
    }
  }
  bounded.truncated = true;
  return bounded;
};
