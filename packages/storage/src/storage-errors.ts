import { DependencyUnavailableError } from "@kiln/core";

/** What the store said, in one line: an S3 error code and HTTP status, or a socket error's code. */
const describeCause = (cause: unknown): string => {
  if (!(cause instanceof Error)) return String(cause);
  const { code, $metadata } = cause as Error & { code?: unknown; $metadata?: { httpStatusCode?: number } };
  const status = $metadata?.httpStatusCode;
  const name = typeof code === "string" ? code : cause.name;
  const label = status !== undefined && name !== "Error" ? `${name} (HTTP ${status})` : name;
  const message = cause.message && cause.message !== name ? cause.message : "";
  return [label === "Error" ? "" : label, message].filter(Boolean).join(": ") || "unknown error";
};

/**
 * The artifact store refused or could not be reached (access denied, no such bucket, endpoint
 * down, disk full). A dependency failure: `503` at the HTTP edge, a retryable failure for a job.
 * `message` stays generic (HTTP callers see it); `action` and `reason` say what failed (logs, job errors).
 */
export class ArtifactStorageError extends DependencyUnavailableError {
  /** What the store was asked: `storing canary.json`. */
  readonly action: string;
  /** What it answered: `AccessDenied (HTTP 403): Access Denied`, `ECONNREFUSED: …`. */
  readonly reason: string;
  constructor(action: string, cause: unknown) {
    super("artifact storage", cause);
    this.name = "ArtifactStorageError";
    this.action = action;
    this.reason = describeCause(cause);
  }
}
