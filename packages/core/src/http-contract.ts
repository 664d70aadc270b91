import { z } from "zod";
import { errorCodes } from "./errors.ts";
import { jobSchema, jobStatusSchema } from "./job.ts";
import { jobSummarySchema } from "./job-summary.ts";

// The HTTP contract's bodies besides the Job itself: the API validates and documents with these,
// the client types its answers with them. One definition each.

const errorCodeSchema = z.enum(
  Object.keys(errorCodes) as [keyof typeof errorCodes, ...(keyof typeof errorCodes)[]],
);

/** An RFC 9457 problem document: the body of every error answer. */
export const problemSchema = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.number().int(),
    detail: z.string(),
    code: errorCodeSchema,
    errors: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
  })
  .meta({ id: "Problem" });
export type Problem = z.infer<typeof problemSchema>;

/** `202` answer of a submit. */
export const jobAcceptedSchema = z
  .object({ jobId: z.string(), status: jobStatusSchema, createdAt: z.string() })
  .meta({ id: "JobAccepted" });
export type JobAccepted = z.infer<typeof jobAcceptedSchema>;

/** Filters of `GET …/content-jobs`. */
export const listJobsQuerySchema = z.object({
  status: jobStatusSchema.optional(),
  jobType: z.string().trim().min(1).max(100).optional(),
  sourceTaskId: z.string().trim().min(1).max(200).optional(),
  limit: z.coerce.number().int().min(1).max(100).default(50).describe("Page size, 1–100"),
  cursor: z.string().max(500).optional().describe("`nextCursor` of the previous page"),
  include: z
    .enum(["input"])
    .optional()
    .describe("`input` lists whole Jobs, each with its input; by default items are JobSummary (no input)"),
});
/** The filters as a caller passes them (query strings are coerced, so `limit` is typed here). */
export type ListJobsFilters = Omit<z.input<typeof listJobsQuerySchema>, "limit"> & { limit?: number };

/**
 * One page of `GET …/content-jobs`, newest first; `nextCursor` is `null` on the last page. Items
 * are summaries (no `input`), so a page's size does not grow with what was submitted.
 */
export const jobSummaryPageSchema = z
  .object({ items: z.array(jobSummarySchema), nextCursor: z.string().nullable() })
  .meta({ id: "JobSummaryPage" });
export type JobSummaryPage = z.infer<typeof jobSummaryPageSchema>;

/** A page of `GET …/content-jobs?include=input`: whole Jobs, input included. */
export const jobPageSchema = z
  .object({ items: z.array(jobSchema), nextCursor: z.string().nullable() })
  .meta({ id: "JobPage" });
export type JobPage = z.infer<typeof jobPageSchema>;

/** `201` answer of `POST …/stream-tokens`: use as `?access_token=` on SSE routes (≤ 5 minutes). */
export const streamTokenSchema = z
  .object({ token: z.string(), expiresAt: z.string() })
  .meta({ id: "StreamToken" });
export type StreamToken = z.infer<typeof streamTokenSchema>;

/** One entry of `GET /api/job-types`: the input's JSON Schema is generated from its zod schema. */
export const jobTypeDescriptionSchema = z
  .object({ jobType: z.string(), description: z.string(), inputSchema: z.record(z.string(), z.unknown()) })
  .meta({ id: "JobType" });
export type JobTypeDescription = z.infer<typeof jobTypeDescriptionSchema>;

export const companySchema = z
  .object({ id: z.string(), name: z.string(), createdAt: z.string() })
  .meta({ id: "Company" });
export type Company = z.infer<typeof companySchema>;

/** A new API key; `key` is shown only in this answer. */
export const createdApiKeySchema = z
  .object({
    id: z.string(),
    name: z.string(),
    prefix: z.string(),
    key: z.string().describe("The key itself: shown only in this response"),
    createdAt: z.string(),
  })
  .meta({ id: "CreatedApiKey" });
export type CreatedApiKey = z.infer<typeof createdApiKeySchema>;
