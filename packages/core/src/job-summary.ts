import type { z } from "zod";
import { boundArtifactMetadata, boundJobError, eventSizeLimits, truncateText } from "./event-size.ts";
import { type Job, jobSchema } from "./job.ts";

const jobSummaryObjectSchema = jobSchema.omit({ input: true });

/**
 * The Job without `input`: what lists and events carry, so their size does not grow with what a
 * tenant submits. `input?: never` makes handing a whole Job where a summary belongs a type error.
 */
export type JobSummary = z.infer<typeof jobSummaryObjectSchema> & { input?: never };

export const jobSummarySchema: z.ZodType<JobSummary> = jobSummaryObjectSchema.meta({ id: "JobSummary" });

/**
 * The one way from a Job (or a row read without its input) to its summary: drops `input`, and
 * keeps the texts a renderer fills within `eventSizeLimits`.
 */
export const toJobSummary = ({
  input: _input,
  ...job
}: Omit<Job, "input"> & { input?: unknown }): JobSummary => ({
  ...job,
  stage: truncateText(job.stage, eventSizeLimits.stageBytes),
  error: job.error && boundJobError(job.error),
  artifacts: job.artifacts.map((artifact) =>
    artifact.metadata ? { ...artifact, metadata: boundArtifactMetadata(artifact.metadata) } : artifact,
  ),
});
