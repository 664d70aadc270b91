// Kept free of zod, so a browser bundle (the dashboard) or the client can import the names alone.
import type { JobEvent } from "./events.ts";
import { isTerminalStatus } from "./job-status.ts";

/** The event names, identical on job streams and company streams. */
export const jobEventTypes = [
  "content_job.status",
  "content_job.created",
  "content_job.started",
  "content_job.progress",
  "content_job.retrying",
  "content_job.done",
  "content_job.failed",
  "content_job.cancelled",
] as const;
export type JobEventType = (typeof jobEventTypes)[number];

export const terminalEventTypes: readonly JobEventType[] = [
  "content_job.done",
  "content_job.failed",
  "content_job.cancelled",
];
export const isTerminalEvent = (type: JobEventType): boolean => terminalEventTypes.includes(type);

/**
 * Whether an event can be the last of a job's stream: a terminal event, or the snapshot of a job
 * already terminal. Which one *is* the last is the server's call (a job retried by hand lives past
 * its old terminal event); the server and the client apply this same test.
 */
export const endsJobStream = (event: JobEvent): boolean =>
  isTerminalEvent(event.type) ||
  (event.type === "content_job.status" &&
    isTerminalStatus((event as JobEvent<"content_job.status">).data.job.status));
