import type { ErrorCode, FieldError } from "@kiln/core";
import type { Problem } from "./wire-types.ts";

/** Base class of every error the client throws (aborts rethrow the signal's reason instead). */
export class KilnClientError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "KilnClientError";
  }
}

/** The API answered with a non-2xx status; carries its problem+json document. */
export class KilnApiError extends KilnClientError {
  readonly status: number;
  readonly code: ErrorCode;
  readonly title: string;
  readonly detail: string;
  readonly type: string;
  /** Field errors of a `validation_failed` answer (`path` is dotted, e.g. `input.steps`). */
  readonly errors: FieldError[];
  readonly problem: Problem;
  /** The server's `Retry-After`, in ms, when it sent one (a `503` does). */
  readonly retryAfterMs?: number;

  constructor(problem: Problem, options?: { retryAfterMs?: number }) {
    super(`${problem.status} ${problem.title}: ${problem.detail}`);
    this.name = "KilnApiError";
    this.problem = problem;
    this.status = problem.status;
    this.code = problem.code;
    this.title = problem.title;
    this.detail = problem.detail;
    this.type = problem.type;
    this.errors = problem.errors ?? [];
    this.retryAfterMs = options?.retryAfterMs;
  }
}

/** The API could not be reached, the connection dropped, or a request timed out. */
export class KilnNetworkError extends KilnClientError {
  /** `true` when the client's own `timeoutMs` (or a stream's idle timeout) ended the request. */
  readonly timedOut: boolean;
  constructor(message: string, options?: { cause?: unknown; timedOut?: boolean }) {
    super(message, options);
    this.name = "KilnNetworkError";
    this.timedOut = options?.timedOut ?? false;
  }
}

/** The API answered something the contract does not allow (a non-JSON body, a malformed event). */
export class KilnProtocolError extends KilnClientError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "KilnProtocolError";
  }
}

/** `waitForJob` gave up before the job reached a terminal status. */
export class KilnTimeoutError extends KilnClientError {
  constructor(message: string) {
    super(message);
    this.name = "KilnTimeoutError";
  }
}
