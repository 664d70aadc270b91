import { z } from "zod";
import { jobStatuses } from "./job-status.ts";

export const jobStatusSchema = z.enum(jobStatuses);

export const artifactSchema = z
  .object({
    name: z.string(),
    contentType: z.string(),
    size: z.number().int().nonnegative(),
    sha256: z.string(),
    url: z.string(),
    metadata: z.record(z.string(), z.unknown()).optional(),
  })
  .meta({ id: "Artifact" });
export type Artifact = z.infer<typeof artifactSchema>;

export const jobErrorSchema = z.object({ code: z.string(), message: z.string() }).meta({ id: "JobError" });
export type JobError = z.infer<typeof jobErrorSchema>;

export const jobSchema = z
  .object({
    id: z.string().uuid(),
    companyId: z.string(),
    jobType: z.string(),
    status: jobStatusSchema,
    progress: z.number().int().min(0).max(100),
    stage: z.string(),
    input: z.unknown(),
    sourceTaskId: z.string().nullable(),
    priority: z.number().int(),
    attempts: z.number().int(),
    maxAttempts: z.number().int(),
    artifacts: z.array(artifactSchema),
    error: jobErrorSchema.nullable(),
    createdAt: z.string(),
    startedAt: z.string().nullable(),
    finishedAt: z.string().nullable(),
    updatedAt: z.string(),
  })
  .meta({ id: "Job" });
export type Job = z.infer<typeof jobSchema>;

/** Limits of the submit body; shared by the API and the client. */
export const submitLimits = {
  priority: { min: 0, max: 100, default: 0 },
  maxAttempts: { min: 1, max: 10, default: 3 },
  sourceTaskIdMaxLength: 200,
} as const;

export const submitJobBodySchema = z
  .object({
    jobType: z.string({ error: "jobType is required" }).trim().min(1, "jobType must not be empty"),
    input: z.unknown(),
    sourceTaskId: z.string().trim().min(1).max(submitLimits.sourceTaskIdMaxLength).optional(),
    priority: z
      .number()
      .int()
      .min(submitLimits.priority.min)
      .max(submitLimits.priority.max)
      .optional()
      .describe("0–100, higher runs first (default 0)"),
    maxAttempts: z
      .number()
      .int()
      .min(submitLimits.maxAttempts.min)
      .max(submitLimits.maxAttempts.max)
      .optional()
      .describe("1–10 (default 3)"),
  })
  .meta({ id: "SubmitJobBody" });
export type SubmitJobBody = z.infer<typeof submitJobBodySchema>;
