import { type ErrorCode, errorCodes, type FieldError, KilnError, type Problem } from "@kiln/core";

const titles: Record<ErrorCode, string> = {
  bad_request: "Bad request",
  validation_failed: "Validation failed",
  unauthorized: "Unauthorized",
  forbidden: "Forbidden",
  not_found: "Not found",
  conflict: "Conflict",
  payload_too_large: "Payload too large",
  unsupported_media_type: "Unsupported media type",
  rate_limited: "Too many requests",
  quota_exceeded: "Quota exceeded",
  range_not_satisfiable: "Range not satisfiable",
  internal: "Internal server error",
  unavailable: "Service unavailable",
};

/**
 * The HTTP edge's error: a code from the closed set and a message safe to show callers, and the
 * header fields its answer carries (a 429's `Retry-After` and `RateLimit`).
 */
export class ApiError extends KilnError {
  readonly headers?: Record<string, string>;
  constructor(
    code: ErrorCode,
    detail: string,
    options?: { errors?: FieldError[]; cause?: unknown; headers?: Record<string, string> },
  ) {
    super(code, detail, options);
    this.name = "ApiError";
    this.headers = options?.headers;
  }
}

export const toProblem = (error: KilnError): Problem => ({
  type: `https://kiln.dev/problems/${error.code.replaceAll("_", "-")}`,
  title: titles[error.code],
  status: errorCodes[error.code],
  detail: error.message,
  code: error.code,
  ...(error.errors && error.errors.length > 0 && { errors: error.errors }),
});
