import type { z } from "zod";
import type { Logger } from "./logger.ts";

/** One file a render produced, before storage gives it a size, hash and URL. */
export interface ArtifactInput {
  name: string;
  contentType: string;
  body: Uint8Array | string;
  /** Per-type facts (page count, dimensions, blocked requests…), stored with the artifact. */
  metadata?: Record<string, unknown>;
}

/** What a renderer gets besides its input. */
export interface RenderContext {
  jobId: string;
  companyId: string;
  /** 1-based number of this attempt. */
  attempt: number;
  /** Aborted when the job is cancelled or the worker shuts down past its grace period. */
  signal: AbortSignal;
  logger: Logger;
  /** Reports progress (0–100, never backwards) and the current stage. Cheap: throttled by the worker. */
  reportProgress(progress: number, stage: string, message?: string): void;
  writeArtifact(artifact: ArtifactInput): Promise<void>;
}

/**
 * A job type: its name, its input schema (the single source of truth for validation,
 * OpenAPI and `GET /api/job-types`) and its render function.
 */
export interface Renderer<S extends z.ZodType = z.ZodType> {
  jobType: string;
  description: string;
  inputSchema: S;
  render(input: z.output<S>, ctx: RenderContext): Promise<void>;
  /** Releases long-lived resources (a browser, say). Called once when the worker stops. */
  close?(): Promise<void>;
}

/** Helps a renderer module keep its input type inferred from its schema. */
export const defineRenderer = <S extends z.ZodType>(renderer: Renderer<S>): Renderer<S> => renderer;
