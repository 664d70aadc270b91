import { buildsRegex, expressionKeys, expressionRegexMessage } from "./expression-regexes.ts";

/** Limits a chart spec must respect before any engine sees it. */
export const chartSpecLimits = {
  /** Serialized size of the spec, in UTF-16 code units of its JSON (≈ bytes for ASCII). */
  maxSpecChars: 1_000_000,
  /** Inline data rows across the whole spec (every `values`, every `datasets` entry, `sequence` generators). */
  maxDataRows: 50_000,
  /** Object / array nesting; real specs stay far below, and it bounds the walk below. */
  maxDepth: 64,
  /** A view's `width` or `height`, in pixels. */
  maxDimension: 20_000,
  /** Ticks (`tickCount`) one axis or legend may ask for. */
  maxTicks: 1_000,
} as const;

/** One reason a spec is refused, with the path (inside the spec) of the offending value. */
export interface SpecViolation {
  path: (string | number)[];
  message: string;
}

const urlMessage =
  "loading data or images from a URL is not allowed: put the rows inline in data.values (Kiln renderers never fetch)";

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

/** Rows a `values` entry holds: array items, or lines of inline CSV/TSV text. */
const rowsOf = (values: unknown): number => {
  if (Array.isArray(values)) return values.length;
  if (typeof values === "string") return values.split("\n").length;
  return 0;
};

/** Rows a `sequence` generator would produce; Infinity when it is unbounded or malformed. */
const sequenceRows = (sequence: unknown): number => {
  if (!isRecord(sequence)) return 0;
  const { start, stop, step = 1 } = sequence;
  if (typeof start !== "number" || typeof stop !== "number" || typeof step !== "number") return 0;
  if (step === 0 || !Number.isFinite(start) || !Number.isFinite(stop)) return Number.POSITIVE_INFINITY;
  return Math.max(0, Math.ceil((stop - start) / step));
};

const tooMany = (what: string, count: number, limit: number) =>
  `${what} would produce ${Number.isFinite(count) ? count : "unbounded"} elements; at most ${limit} are allowed`;

/**
 * Parameters that make vega allocate in proportion to their value rather than to the data.
 * Only literal numbers are checked here; whatever a signal or an expression computes is
 * caught while the chart evaluates (evaluation-budget.ts).
 */
const parameterViolation = (
  key: string,
  value: unknown,
  parent: Record<string, unknown>,
): string | undefined => {
  const { maxDataRows, maxDimension, maxTicks } = chartSpecLimits;
  if (key === "keyvals") {
    const count = sequenceRows(value);
    return count > maxDataRows ? tooMany("impute keyvals", count, maxDataRows) : undefined;
  }
  if (typeof value !== "number") return undefined;
  if ((key === "width" || key === "height") && value > maxDimension) {
    return `${key} is ${value} pixels; at most ${maxDimension} are allowed`;
  }
  if (key === "tickCount" && value > maxTicks)
    return `tickCount is ${value}; at most ${maxTicks} are allowed`;
  if (["maxbins", "steps", "minsteps", "maxsteps"].includes(key) && value > maxDataRows) {
    return tooMany(key, value, maxDataRows);
  }
  if (key === "step" && "quantile" in parent && 1 / value > maxDataRows) {
    return tooMany("a quantile step", Math.ceil(1 / value), maxDataRows);
  }
  return undefined;
};

/**
 * Everything wrong with a Vega-Lite spec that Kiln can tell without compiling it: any
 * `url` property (data, lookup sources, layers, image channels — anywhere), too many
 * inline rows, literal parameters that would generate too much (bins, steps, ticks,
 * impute keyvals, dimensions), regular expressions in expressions, too deep, too large. The input schema runs it (so a submit reports each
 * violation with its path), and it is exported for callers that hold a raw spec.
 * Iterative, so a hostile, deeply nested spec cannot overflow the stack.
 */
export const findSpecViolations = (spec: unknown): SpecViolation[] => {
  const violations: SpecViolation[] = [];
  let rows = 0;
  // The violation points at the largest source of rows: the one a caller will want to trim.
  let largest = { count: 0, path: [] as (string | number)[] };
  const countRows = (count: number, path: (string | number)[]) => {
    rows += count;
    if (count > largest.count) largest = { count, path };
  };
  const stack: { value: unknown; path: (string | number)[] }[] = [{ value: spec, path: [] }];
  while (stack.length > 0) {
    const { value, path } = stack.pop()!;
    if (path.length > chartSpecLimits.maxDepth) {
      violations.push({ path, message: `nested more than ${chartSpecLimits.maxDepth} levels deep` });
      // Depth breaks the size check below (JSON.stringify recurses): report and stop here.
      return violations;
    }
    if (Array.isArray(value)) {
      value.forEach((item, index) => {
        if (typeof item === "object" && item !== null) stack.push({ value: item, path: [...path, index] });
      });
      continue;
    }
    if (!isRecord(value)) continue;
    for (const [key, child] of Object.entries(value)) {
      const childPath = [...path, key];
      if (typeof child === "string" && expressionKeys.has(key) && buildsRegex(child)) {
        violations.push({ path: childPath, message: expressionRegexMessage });
      }
      const parameterMessage = parameterViolation(key, child, value);
      if (parameterMessage !== undefined) violations.push({ path: childPath, message: parameterMessage });
      if (key === "url") violations.push({ path: childPath, message: urlMessage });
      else if (key === "values") countRows(rowsOf(child), childPath);
      else if (key === "sequence") countRows(sequenceRows(child), childPath);
      else if (key === "datasets" && isRecord(child)) {
        for (const [name, dataset] of Object.entries(child)) countRows(rowsOf(dataset), [...childPath, name]);
      }
      // Row arrays are only counted, never walked: 50,000 plain rows need no inspection.
      if (key === "values" || typeof child !== "object" || child === null) continue;
      stack.push({ value: child, path: childPath });
    }
  }
  if (rows > chartSpecLimits.maxDataRows) {
    violations.push({
      path: largest.path,
      message: `the spec holds ${Number.isFinite(rows) ? rows : "unbounded"} data rows; at most ${chartSpecLimits.maxDataRows} are allowed`,
    });
  }
  const size = JSON.stringify(spec).length;
  if (size > chartSpecLimits.maxSpecChars) {
    violations.push({
      path: [],
      message: `the spec is ${size} characters as JSON; at most ${chartSpecLimits.maxSpecChars} are allowed`,
    });
  }
  return violations;
};
