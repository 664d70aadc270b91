import type { ArtifactInput, Logger, RenderContext } from "@kiln/core";
import { boundArtifactMetadata, eventSizeLimits, RenderError, truncateText } from "@kiln/core";
import type { StoredArtifact } from "@kiln/db";
import { ArtifactStorageError, type ArtifactStore, isValidArtifactName } from "@kiln/storage";

export interface RenderContextOptions {
  jobId: string;
  companyId: string;
  attempt: number;
  signal: AbortSignal;
  logger: Logger;
  artifacts: ArtifactStore;
  /** Minimum time between two progress writes of the same stage. */
  progressIntervalMs: number;
  /** Persists and publishes one progress report; called in order, never concurrently. */
  onProgress(progress: number, stage: string, message?: string): Promise<void>;
}

/**
 * A store that refuses or cannot be reached fails the attempt, retryably (the job's own attempts
 * and backoff apply), naming what the store said: the render itself was fine.
 */
const storageFailure = (name: string, error: unknown): unknown =>
  error instanceof ArtifactStorageError
    ? new RenderError("artifact_storage_failed", `could not store ${name}: ${error.reason}`, {
        retryable: true,
        cause: error,
      })
    : error;

/**
 * The context a renderer runs with. Progress is clamped, never goes backwards, and is throttled
 * (a stage change always goes through), so a chatty renderer cannot flood PostgreSQL or Redis.
 * What a renderer reports is kept within `eventSizeLimits`: stage and message cut, at most
 * `progressReportsPerAttempt` reports, `artifactsPerJob` artifacts, metadata capped per artifact.
 */
export const createRenderContext = (options: RenderContextOptions) => {
  const written: StoredArtifact[] = [];
  let progress = 0;
  let stage = "";
  let lastWriteAt = 0;
  let reports = 0;
  let chain = Promise.resolve();

  const ctx: RenderContext = {
    jobId: options.jobId,
    companyId: options.companyId,
    attempt: options.attempt,
    signal: options.signal,
    logger: options.logger,
    reportProgress(value, reportedStage, reportedMessage) {
      const nextStage = truncateText(reportedStage, eventSizeLimits.stageBytes);
      const message =
        reportedMessage === undefined
          ? undefined
          : truncateText(reportedMessage, eventSizeLimits.progressMessageBytes);
      const clamped = Math.max(progress, Math.min(99, Math.max(0, Math.round(value))));
      const now = Date.now();
      const stageChanged = nextStage !== stage;
      if (!stageChanged && (clamped === progress || now - lastWriteAt < options.progressIntervalMs)) return;
      if (reports >= eventSizeLimits.progressReportsPerAttempt) return;
      reports++;
      progress = clamped;
      stage = nextStage;
      lastWriteAt = now;
      chain = chain
        .then(() => options.onProgress(clamped, nextStage, message))
        .catch((error: unknown) => options.logger.warn({ err: error }, "progress not recorded"));
    },
    async writeArtifact(artifact: ArtifactInput) {
      if (!isValidArtifactName(artifact.name)) {
        throw new RenderError("invalid_artifact_name", `invalid artifact name ${artifact.name}`, {
          retryable: false,
        });
      }
      const isNew = !written.some((candidate) => candidate.name === artifact.name);
      if (isNew && written.length >= eventSizeLimits.artifactsPerJob) {
        throw new RenderError(
          "too_many_artifacts",
          `a job records at most ${eventSizeLimits.artifactsPerJob} artifacts`,
          { retryable: false },
        );
      }
      const body =
        typeof artifact.body === "string" ? new TextEncoder().encode(artifact.body) : artifact.body;
      const stored = await options.artifacts
        .put({ companyId: options.companyId, jobId: options.jobId, name: artifact.name }, body, {
          contentType: artifact.contentType,
        })
        .catch((error: unknown) => {
          throw storageFailure(artifact.name, error);
        });
      const entry: StoredArtifact = {
        name: artifact.name,
        contentType: artifact.contentType,
        ...stored,
        ...(artifact.metadata && { metadata: boundArtifactMetadata(artifact.metadata) }),
      };
      const existing = written.findIndex((candidate) => candidate.name === artifact.name);
      if (existing >= 0) written[existing] = entry;
      else written.push(entry);
    },
  };

  return {
    ctx,
    artifacts: () => [...written],
    /** Waits for progress writes still in flight, so they land before the terminal write. */
    settle: () => chain,
  };
};
