import { createHash } from "node:crypto";
import type { Renderer } from "@kiln/core";
import { type Job, type SubmitJobBody, submitLimits, toFieldErrors } from "@kiln/core";
import type { JobEngine } from "@kiln/jobs";
import { ApiError } from "../errors/api-error.ts";
import { canonicalJson } from "./canonical-json.ts";

export interface SubmitJobRequest {
  companyId: string;
  body: SubmitJobBody;
  idempotencyKey?: string;
}

export interface SubmitJobDeps {
  engine: Pick<JobEngine, "submit">;
  renderers: Map<string, Renderer>;
  idempotencyTtlMs: number;
}

/**
 * Validates the input with its job type's schema and hands the job to the lifecycle engine, which
 * commits the row before it enqueues: a 202 never loses a job (see @kiln/jobs).
 */
export const submitJob = async (
  { engine, renderers, idempotencyTtlMs }: SubmitJobDeps,
  { companyId, body, idempotencyKey }: SubmitJobRequest,
): Promise<{ job: Job; created: boolean }> => {
  const renderer = renderers.get(body.jobType);
  if (!renderer) {
    throw new ApiError("validation_failed", `Unknown jobType "${body.jobType}"`, {
      errors: [{ path: "jobType", message: `must be one of: ${[...renderers.keys()].join(", ")}` }],
    });
  }
  const parsed = renderer.inputSchema.safeParse(body.input);
  if (!parsed.success) {
    throw new ApiError("validation_failed", `Invalid input for ${body.jobType}`, {
      errors: toFieldErrors(parsed.error.issues, "input"),
    });
  }
  return engine.submit({
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
          ttlMs: idempotencyTtlMs,
        }
      : undefined,
  });
};
