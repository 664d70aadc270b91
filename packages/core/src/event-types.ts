// Kept free of zod, so a browser bundle (the dashboard) can import the names alone.

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
