import { createHash } from "node:crypto";
import { type Job, type SubmitJobBody, submitLimits, toFieldErrors, toJobSummary } from "@kiln/core";
import { ApiError } from "../errors/api-error.ts";
import type { Services } from "../services.ts";
import { canonicalJson } from "./canonical-json.ts";

export interface SubmitJobRequest {
  companyId: string;
  body: SubmitJobBody;
  idempotencyKey?: string;
}

/**
 * Validates the input with its job type's schema, commits the row, then enqueues it. The row is
 * the truth: when the enqueue fails (Redis down, crash in between) the job is still accepted and
 * the reconciler enqueues it later, so a 202 never loses a job.
 */
export const submitJob = async (
  services: Services,
  { companyId, body, idempotencyKey }: SubmitJobRequest,
): Promise<{ job: Job; created: boolean }> => {
  const renderer = services.renderers.get(body.jobType);
  if (!renderer) {
    throw new ApiError("validation_failed", `Unknown jobType "${body.jobType}"`, {
      errors: [{ path: "jobType", message: `must be one of: ${[...services.renderers.keys()].join(", ")}` }],
    });
  }
  const parsed = renderer.inputSchema.safeParse(body.input);
  if (!parsed.success) {
    throw new ApiError("validation_failed", `Invalid input for ${body.jobType}`, {
      errors: toFieldErrors(parsed.error.issues, "input"),
    });
  }
  const { job, created } = await services.jobs.createJob({
    companyId,
    jobType: body.jobType,
    input: parsed.data,
    sourceTaskId: body.sourceTaskId ?? null,
    priority: body.priority ?? submitLimits.priority.default,
    maxAttempts: body.maxAttempts ?? submitLimits.maxAttempts.default,
    idempotency: idempotencyKey
      ? {
          key: idempotencyKey,
          requestHash: createHash("sha256").update(canonicalJson(body)).digest("hex"),
          ttlMs: services.config.KILN_IDEMPOTENCY_TTL_MS,
        }
      : undefined,
  });
  if (!created) return { job, created };
  try {
    await services.queues.enqueue(job);
  } catch (error) {
    services.logger.warn(
      { err: error, jobId: job.id },
      "enqueue failed; the reconciler will enqueue the job",
    );
  }
  await publish(services, {
    type: "content_job.created",
    data: { jobId: job.id, companyId, job: toJobSummary(job) },
  });
  return { job, created };
};

/** Cancels a queued or running job: the row first, then the queue entry, then the worker running it. */
export const cancelJob = async (services: Services, companyId: string, jobId: string): Promise<Job> => {
  const result = await services.jobs.cancelJob(companyId, jobId);
  if (result === null) throw new ApiError("not_found", "No such job");
  if (result === "conflict") throw new ApiError("conflict", "The job has already finished");
  const job = result;
  await Promise.allSettled([
    services.queues.remove(job.jobType, job.id),
    services.control.publish({ type: "cancel", jobId: job.id, jobType: job.jobType }),
  ]);
  await publish(services, {
    type: "content_job.cancelled",
    data: { jobId: job.id, companyId, job: toJobSummary(job) },
  });
  return job;
};

/** Queues a failed or cancelled job again, with a fresh attempt budget. */
export const retryJob = async (services: Services, companyId: string, jobId: string): Promise<Job> => {
  const result = await services.jobs.retryJob(companyId, jobId);
  if (result === null) throw new ApiError("not_found", "No such job");
  if (result === "conflict") throw new ApiError("conflict", "Only failed or cancelled jobs can be retried");
  const job = result;
  try {
    // While a worker still holds the last attempt's entry (it has not seen the cancel yet, or is
    // finishing a failure), both calls are no-ops: that worker enqueues the job once it lets go
    // (apps/worker requeue-released), and the reconciler remains the fallback.
    await services.queues.remove(job.jobType, job.id);
    await services.queues.enqueue(job);
  } catch (error) {
    services.logger.warn(
      { err: error, jobId: job.id },
      "re-enqueue failed; the reconciler will enqueue the job",
    );
  }
  await publish(services, {
    type: "content_job.status",
    data: { jobId: job.id, companyId, job: toJobSummary(job) },
  });
  return job;
};

/** Events are best effort on the request path: the row is already committed and is the truth. */
const publish = async (services: Services, event: Parameters<Services["events"]["append"]>[0]) => {
  try {
    await services.events.append(event);
  } catch (error) {
    services.logger.warn({ err: error, jobId: event.data.jobId, type: event.type }, "event not published");
  }
};
