import type { FieldError } from "@kiln/core";

/** Enough to show the caller what is wrong without an answer as large as the request. */
const maxReported = 20;
const stringMessage = "must be well-formed Unicode text: it holds an unpaired UTF-16 surrogate";
const keyMessage = "this object key is not well-formed Unicode text: it holds an unpaired UTF-16 surrogate";
const queryMessage = "is not percent-encoded UTF-8 (e.g. an encoded unpaired surrogate)";

interface PathNode {
  parent: PathNode | undefined;
  key: string;
}

const pathOf = (node: PathNode | undefined): string => {
  const parts: string[] = [];
  for (let current = node; current; current = current.parent) parts.push(current.key);
  return parts.reverse().join(".");
};

/**
 * A quick pass before the walk: `JSON.stringify` writes a lone surrogate, and no other text, as a
 * `\udXXX` escape (a literal backslash-u in a string is escaped again, which at worst only sends
 * a clean value on to the walk). Nesting too deep to stringify goes to the walk too.
 */
const mayHoldLoneSurrogate = (value: unknown): boolean => {
  try {
    return /\\ud[89a-f]/.test(JSON.stringify(value) ?? "");
  } catch {
    return true;
  }
};

/**
 * Every string and object key in `value` that is not well-formed UTF-16 (`\ud800` in JSON parses
 * to one), by path as validation errors name them. PostgreSQL cannot store such text: a `text`
 * column would keep U+FFFD instead, a `jsonb` one refuses it, so the HTTP edge refuses it first,
 * the same way for every field. Walks with a stack of its own, so no nesting depth overflows it.
 */
export const malformedTextIn = (value: unknown): FieldError[] => {
  if (!mayHoldLoneSurrogate(value)) return [];
  const errors: FieldError[] = [];
  const stack: { value: unknown; path: PathNode | undefined }[] = [{ value, path: undefined }];
  while (stack.length > 0 && errors.length < maxReported) {
    const { value: current, path } = stack.pop()!;
    if (typeof current === "string") {
      if (!current.isWellFormed()) errors.push({ path: pathOf(path), message: stringMessage });
    } else if (Array.isArray(current)) {
      for (let index = current.length - 1; index >= 0; index--)
        stack.push({ value: current[index], path: { parent: path, key: String(index) } });
    } else if (typeof current === "object" && current !== null) {
      const entries = Object.entries(current);
      for (let index = entries.length - 1; index >= 0; index--) {
        const [key, child] = entries[index]!;
        const node = { parent: path, key: key.toWellFormed() };
        if (!key.isWellFormed()) errors.push({ path: pathOf(node), message: keyMessage });
        stack.push({ value: child, path: node });
      }
    }
  }
  return errors.slice(0, maxReported);
};

/** Whether percent-decoding `raw` gives UTF-8; a `%` not followed by two hex digits stays literal, as in URLs. */
const isUtf8Encoded = (raw: string): boolean => {
  if (!raw.includes("%")) return true;
  try {
    decodeURIComponent(raw.replaceAll(/%(?![0-9A-Fa-f]{2})/g, "%25"));
    return true;
  } catch {
    return false;
  }
};

const decodedName = (raw: string): string => {
  try {
    return decodeURIComponent(raw.replaceAll("+", " "));
  } catch {
    return raw;
  }
};

/**
 * Query parameters whose percent-encoding is not UTF-8 (`?sourceTaskId=%ED%A0%80` encodes a lone
 * surrogate). The router leaves such a value undecoded, so a filter would silently search for the
 * literal `%ED%A0%80`: the same text rule as bodies refuses it instead.
 */
export const malformedQueryIn = (url: string): FieldError[] => {
  const search = new URL(url).search.slice(1);
  if (!search.includes("%")) return [];
  const errors: FieldError[] = [];
  for (const pair of search.split("&")) {
    const equals = pair.indexOf("=");
    const name = equals === -1 ? pair : pair.slice(0, equals);
    const value = equals === -1 ? "" : pair.slice(equals + 1);
    if (!isUtf8Encoded(name) || !isUtf8Encoded(value))
      errors.push({ path: decodedName(name), message: queryMessage });
  }
  return errors.slice(0, maxReported);
};
