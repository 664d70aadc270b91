import { type ArtifactInput, type RenderContext, silentLogger } from "@kiln/core";

/** One `reportProgress` call, as a test sees it. */
export interface RecordedProgress {
  progress: number;
  stage: string;
  message?: string;
}

/** A RenderContext that keeps everything a renderer produces, for assertions. */
export interface TestRenderContext {
  ctx: RenderContext;
  /** Every artifact written, in order (bodies as given). */
  artifacts: ArtifactInput[];
  /** Every progress report, in order. */
  progress: RecordedProgress[];
  /** Aborts `ctx.signal`, as a cancel or a worker shutdown would. */
  abort(reason?: unknown): void;
}

/**
 * Builds a context for calling a renderer directly in tests and benchmarks.
 * Defaults: a random job id, company "test-company", attempt 1, a silent logger.
 * `signal` in overrides is combined with the helper's own abort signal.
 */
export const createTestRenderContext = (
  overrides: Partial<Omit<RenderContext, "reportProgress" | "writeArtifact">> = {},
): TestRenderContext => {
  const controller = new AbortController();
  const artifacts: ArtifactInput[] = [];
  const progress: RecordedProgress[] = [];
  const signal = overrides.signal
    ? AbortSignal.any([overrides.signal, controller.signal])
    : controller.signal;
  const ctx: RenderContext = {
    jobId: overrides.jobId ?? crypto.randomUUID(),
    companyId: overrides.companyId ?? "test-company",
    attempt: overrides.attempt ?? 1,
    logger: overrides.logger ?? silentLogger,
    signal,
    reportProgress(value, stage, message) {
      progress.push(message === undefined ? { progress: value, stage } : { progress: value, stage, message });
    },
    async writeArtifact(artifact) {
      artifacts.push(artifact);
    },
  };
  return { ctx, artifacts, progress, abort: (reason?: unknown) => controller.abort(reason) };
};

/** The body of an artifact as bytes, whatever the renderer passed. */
export const artifactBytes = (artifact: ArtifactInput): Uint8Array =>
  typeof artifact.body === "string" ? new TextEncoder().encode(artifact.body) : artifact.body;

/** The body of an artifact as UTF-8 text. */
export const artifactText = (artifact: ArtifactInput): string =>
  typeof artifact.body === "string" ? artifact.body : new TextDecoder().decode(artifact.body);
