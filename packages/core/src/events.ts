import { z } from "zod";
import { type Job, jobErrorSchema, jobSchema } from "./job.ts";

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

const base = { jobId: z.string(), companyId: z.string() };

/** The `data:` of each event type. Terminal events and snapshots carry the whole Job. */
export const jobEventDataSchemas = {
  "content_job.status": z.object({ ...base, job: jobSchema }),
  "content_job.created": z.object({ ...base, job: jobSchema }),
  "content_job.started": z.object({ ...base, attempt: z.number().int(), job: jobSchema }),
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
  "content_job.done": z.object({ ...base, job: jobSchema }),
  "content_job.failed": z.object({ ...base, job: jobSchema }),
  "content_job.cancelled": z.object({ ...base, job: jobSchema }),
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

export const snapshotEvent = (id: string, job: Job): JobEvent<"content_job.status"> => ({
  id,
  type: "content_job.status",
  data: { jobId: job.id, companyId: job.companyId, job },
});
