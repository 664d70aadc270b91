// Kept free of zod: the client bundles it to read problem documents.

/**
 * The closed set of error codes Kiln reports. Each maps to one HTTP status at the edge
 * (apps/api) and to `JobError.code` inside jobs.
 */
export const errorCodes = {
  bad_request: 400,
  validation_failed: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  payload_too_large: 413,
  unsupported_media_type: 415,
  /** A rate limit: retry after `Retry-After` seconds. */
  rate_limited: 429,
  /** A company quota (jobs, streams, stored bytes): free some before asking again. */
  quota_exceeded: 429,
  /** A `Range` outside the representation (`Content-Range: bytes *\/size` says its size). */
  range_not_satisfiable: 416,
  internal: 500,
  unavailable: 503,
} as const;
export type ErrorCode = keyof typeof errorCodes;

export const isErrorCode = (value: unknown): value is ErrorCode =>
  typeof value === "string" && Object.hasOwn(errorCodes, value);

/**
 * The code of an HTTP status that came without one (a framework's or a proxy's answer). A bare
 * `400` is `bad_request`: `validation_failed` names field errors, which such an answer has not.
 */
export const codeOfStatus = (status: number): ErrorCode =>
  (Object.keys(errorCodes) as ErrorCode[]).find(
    (code) => errorCodes[code] === status && code !== "validation_failed",
  ) ?? (status >= 500 ? "internal" : "bad_request");

export interface FieldError {
  path: string;
  message: string;
}

/** A domain error with a code the HTTP edge can map; never carries a stack to callers. */
export class KilnError extends Error {
  readonly code: ErrorCode;
  readonly errors?: FieldError[];
  constructor(code: ErrorCode, message: string, options?: { errors?: FieldError[]; cause?: unknown }) {
    super(message, { cause: options?.cause });
    this.name = "KilnError";
    this.code = code;
    this.errors = options?.errors;
  }
}

/** A dependency (PostgreSQL, Redis) did not answer: the caller should retry later. */
export class DependencyUnavailableError extends KilnError {
  readonly dependency: string;
  constructor(dependency: string, cause?: unknown) {
    super("unavailable", `${dependency} is unavailable`, { cause });
    this.name = "DependencyUnavailableError";
    this.dependency = dependency;
  }
}

/**
 * Thrown by a renderer. `retryable: false` (bad input, a page that will never render)
 * fails the job at once; `retryable: true` lets the worker retry with backoff.
 */
export class RenderError extends Error {
  readonly code: string;
  readonly retryable: boolean;
  constructor(code: string, message: string, options?: { retryable?: boolean; cause?: unknown }) {
    super(message, { cause: options?.cause });
    this.name = "RenderError";
    this.code = code;
    this.retryable = options?.retryable ?? true;
  }
}

/** Turns zod issues into `errors[]` entries with dotted paths (`input.steps`). */
export const toFieldErrors = (
  issues: readonly { path: readonly PropertyKey[]; message: string }[],
  prefix?: string,
): FieldError[] =>
  issues.map((issue) => ({
    path: [prefix, ...issue.path.map(String)].filter((part) => part !== undefined && part !== "").join("."),
    message: issue.message,
  }));
