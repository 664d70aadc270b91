import type { ErrorCode, FieldError, Job, JobStatus } from "@kiln/core";

// Response shapes of the HTTP contract that @kiln/core does not (yet) export: they are declared by
// the API's route schemas (apps/api/src/routes, errors/api-error.ts). Built from core's types so a
// change to Job, JobStatus or ErrorCode still flows through.

/** An RFC 9457 problem document: the body of every error answer. */
export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: ErrorCode;
  errors?: FieldError[];
}

/** `202` answer of a submit. */
export interface JobAccepted {
  jobId: string;
  status: JobStatus;
  createdAt: string;
}

/** One page of `GET …/content-jobs`, newest first. */
export interface JobPage {
  items: Job[];
  /** Pass as `cursor` to read the next page; `null` on the last page. */
  nextCursor: string | null;
}

/** Filters of `GET …/content-jobs`. */
export interface ListJobsFilters {
  status?: JobStatus;
  jobType?: string;
  sourceTaskId?: string;
  /** Page size, 1–100 (server default 50). */
  limit?: number;
  /** `nextCursor` of the previous page. */
  cursor?: string;
}

/** `201` answer of `POST …/stream-tokens`: use as `?access_token=` on SSE routes (≤ 5 minutes). */
export interface StreamToken {
  token: string;
  expiresAt: string;
}

/** One entry of `GET /api/job-types`. */
export interface JobTypeDescription {
  jobType: string;
  description: string;
  /** JSON Schema of the job type's input, generated from its zod schema. */
  inputSchema: Record<string, unknown>;
}

export interface Company {
  id: string;
  name: string;
  createdAt: string;
}

/** A new API key; `key` is shown only in this answer. */
export interface CreatedApiKey {
  id: string;
  name: string;
  prefix: string;
  key: string;
  createdAt: string;
}
