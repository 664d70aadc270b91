import type { JobSummary } from "@kiln/core";
import { KilnApiError, KilnClientError, KilnNetworkError } from "../errors.ts";
import type { TypedJobEvent } from "../sse/to-job-event.ts";

const artifactNames = (job: JobSummary) =>
  job.artifacts.map((artifact) => artifact.name).join(", ") || "no artifacts";

/** What an event says, in a few words: the part of a `follow` line after its id and type. */
export const describeEvent = (event: TypedJobEvent): string => {
  switch (event.type) {
    case "content_job.status":
    case "content_job.created":
      return `${event.data.job.status} ${event.data.job.progress}% ${event.data.job.stage}`;
    case "content_job.started":
      return `attempt ${event.data.attempt}`;
    case "content_job.progress":
      return [`${event.data.progress}%`, event.data.stage, event.data.message].filter(Boolean).join(" ");
    case "content_job.retrying":
      return `attempt ${event.data.attempt} failed: ${event.data.error.code}: ${event.data.error.message}`;
    case "content_job.done":
      return artifactNames(event.data.job);
    case "content_job.failed":
      return event.data.job.error
        ? `${event.data.job.error.code}: ${event.data.job.error.message}`
        : "failed";
    case "content_job.cancelled":
      return "cancelled";
  }
};

/** One line per event: `<id> <type> <summary>`. */
export const formatEventLine = (event: TypedJobEvent): string =>
  `${event.id} ${event.type.replace("content_job.", "")} ${describeEvent(event)}`;

/** One line per job for `list`: id, status, type, progress, created. */
export const formatJobLine = (job: Omit<JobSummary, "input">): string =>
  [job.id, job.status.padEnd(9), job.jobType.padEnd(14), `${job.progress}%`.padStart(4), job.createdAt].join(
    "  ",
  );

export const toJson = (value: unknown): string => JSON.stringify(value, null, 2);

/** An error as the user should read it: the problem's title and detail, then one line per field error. */
export const formatError = (error: unknown): string => {
  if (error instanceof KilnApiError) {
    const lines = [`error: ${error.status} ${error.title}: ${error.detail}`];
    for (const field of error.errors) lines.push(`  ${field.path || "(body)"}: ${field.message}`);
    return lines.join("\n");
  }
  if (error instanceof KilnNetworkError) return `error: ${error.message}`;
  if (error instanceof KilnClientError) return `error: ${error.message}`;
  return `error: ${error instanceof Error ? error.message : String(error)}`;
};
