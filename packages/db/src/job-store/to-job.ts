import {
  type Artifact,
  artifactPath,
  type Job,
  type JobError,
  type JobSummary,
  toJobSummary,
} from "@kiln/core";
import type { ContentJob } from "../generated/prisma/client.ts";

/** An artifact as stored in the row: everything but its URL, which depends on where it is served. */
export type StoredArtifact = Omit<Artifact, "url">;

/** A row read without its `input` column (lists, snapshots): the largest field is never fetched. */
export type ContentJobWithoutInput = Omit<ContentJob, "input">;

const iso = (date: Date | null): string | null => (date ? date.toISOString() : null);

const toJobFields = (row: ContentJobWithoutInput): Omit<Job, "input"> => ({
  id: row.id,
  companyId: row.companyId,
  jobType: row.jobType,
  status: row.status,
  progress: row.progress,
  stage: row.stage,
  sourceTaskId: row.sourceTaskId,
  priority: row.priority,
  attempts: row.attempts,
  maxAttempts: row.maxAttempts,
  artifacts: ((row.artifacts as StoredArtifact[] | null) ?? []).map((artifact) => ({
    ...artifact,
    url: artifactPath(row.companyId, row.id, artifact.name),
  })),
  error: (row.error as JobError | null) ?? null,
  createdAt: row.createdAt.toISOString(),
  startedAt: iso(row.startedAt),
  finishedAt: iso(row.finishedAt),
  updatedAt: row.updatedAt.toISOString(),
});

/** The one mapping from a row to the Job callers see. */
export const toJob = (row: ContentJob): Job => {
  // `input` in DESIGN.md's place, after `stage`.
  const { id, companyId, jobType, status, progress, stage, ...rest } = toJobFields(row);
  return { id, companyId, jobType, status, progress, stage, input: row.input, ...rest };
};

/** A row read without its input, as lists and events show it. */
export const toJobSummaryOfRow = (row: ContentJobWithoutInput): JobSummary => toJobSummary(toJobFields(row));
