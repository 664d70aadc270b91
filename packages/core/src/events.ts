import { z } from "zod";
import { boundJobError, eventSizeLimits, truncateText } from "./event-size.ts";
import type { JobEventType } from "./event-types.ts";
import { jobErrorSchema } from "./job.ts";
import { type JobSummary, jobSummarySchema, toJobSummary } from "./job-summary.ts";

const base = { jobId: z.string(), companyId: z.string() };

/**
 * The `data:` of each event type. Snapshots, terminal events, created and started carry the Job
 * without its `input` (a `JobSummary`): an event's size never grows with what a tenant submits.
 */
export const jobEventDataSchemas = {
  "content_job.status": z.object({ ...base, job: jobSummarySchema }),
  "content_job.created": z.object({ ...base, job: jobSummarySchema }),
  "content_job.started": z.object({ ...base, attempt: z.number().int(), job: jobSummarySchema }),
  "content_job.progress": z.object({
    ...base,
    progress: z.number().int().min(0).max(100),
    stage: z.string(),
    message: z.string().optional(),
  }),
  "content_job.retrying": z.object({
    ...base,
    attempt: z.number().int(),
    error: jobErrorSchema,
    delayMs: z.number().int().optional(),
  }),
  "content_job.done": z.object({ ...base, job: jobSummarySchema }),
  "content_job.failed": z.object({ ...base, job: jobSummarySchema }),
  "content_job.cancelled": z.object({ ...base, job: jobSummarySchema }),
} satisfies Record<JobEventType, z.ZodType>;

export type JobEventData<T extends JobEventType = JobEventType> = z.infer<(typeof jobEventDataSchemas)[T]>;

/** An event as it travels through Redis and out on SSE: its stream id, name and data. */
export interface JobEvent<T extends JobEventType = JobEventType> {
  /** Orders the event within its company's stream (a Redis stream id, `ms-seq`). */
  id: string;
  type: T;
  data: JobEventData<T>;
}

/** An event before it has been given its id. */
export type NewJobEvent = { [T in JobEventType]: { type: T; data: JobEventData<T> } }[JobEventType];

export const snapshotEvent = (id: string, job: JobSummary): JobEvent<"content_job.status"> => ({
  id,
  type: "content_job.status",
  data: { jobId: job.id, companyId: job.companyId, job },
});

/**
 * The event as the event log stores it: every text cut to `eventSizeLimits` and a job reduced to
 * its summary, whoever built the event. Publishers already pass bounded data; this makes the
 * bound (`maxEventDataBytes`) a property of the log rather than of each caller. Idempotent.
 */
export const boundJobEvent = (event: NewJobEvent): NewJobEvent => {
  switch (event.type) {
    case "content_job.progress": {
      const { message, ...data } = event.data;
      return {
        type: event.type,
        data: {
          ...data,
          stage: truncateText(data.stage, eventSizeLimits.stageBytes),
          ...(message !== undefined && {
            message: truncateText(message, eventSizeLimits.progressMessageBytes),
          }),
        },
      };
    }
    case "content_job.retrying":
      return { type: event.type, data: { ...event.data, error: boundJobError(event.data.error) } };
    case "content_job.started":
      return { type: event.type, data: { ...event.data, job: toJobSummary(event.data.job) } };
    default:
      // The rest carry `{jobId, companyId, job}`.
      return { type: event.type, data: { ...event.data, job: toJobSummary(event.data.job) } };
  }
};
