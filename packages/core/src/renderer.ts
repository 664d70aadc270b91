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

/**
 * The bounds of one render attempt. Past them the render is killed and the attempt fails with
 * `render_timeout` or `render_memory` (not retried: the same input would exceed them again).
 */
export interface RenderLimits {
  /** Wall-clock time of one attempt, thread and external step together, in ms. */
  timeoutMs: number;
  /** Heap of the thread that runs `render()`, in MiB. */
  memoryMb: number;
}

/** What a renderer gets besides its input. */
export interface RenderContext {
  jobId: string;
  companyId: string;
  /** 1-based number of this attempt. */
  attempt: number;
  /**
   * Aborted when the job is cancelled or the worker shuts down past its grace period. Inside an
   * isolated thread it never fires: the thread itself is terminated instead.
   */
  signal: AbortSignal;
  logger: Logger;
  /** Reports progress (0–100, never backwards) and the current stage. Cheap: throttled by the worker. */
  reportProgress(progress: number, stage: string, message?: string): void;
  writeArtifact(artifact: ArtifactInput): Promise<void>;
}

/**
 * A job type: its name, its input schema (the single source of truth for validation,
 * OpenAPI and `GET /api/job-types`), its bounds and its render function.
 *
 * `render` runs in an isolated worker thread, never on the event loop of the worker that holds
 * queue locks and hears cancels: it may be CPU-bound, and it is killed past `limits`. What it
 * returns must be structured-cloneable; it is handed to `finishOnLoop`, when there is one.
 */
export interface Renderer<S extends z.ZodType = z.ZodType, P = unknown> {
  jobType: string;
  description: string;
  inputSchema: S;
  /** Default bounds of one attempt (an operator may override them: `KILN_RENDER_LIMITS`). */
  limits: RenderLimits;
  render(input: z.output<S>, ctx: RenderContext): Promise<P>;
  /**
   * An optional second step on the worker's own event loop, for work another process does (Chromium
   * prints a page); it must stay I/O-bound. Gets what `render` returned; bounded by the same timeout.
   */
  finishOnLoop?(prepared: P, ctx: RenderContext): Promise<void>;
  /**
   * Loads, once at worker start, what `finishOnLoop` will need (a browser driver, say), so that a
   * first job does not stall the event loop that holds the other jobs' locks.
   */
  warmUp?(): Promise<void>;
  /** Releases long-lived resources (a browser, say). Called once when the worker stops. */
  close?(): Promise<void>;
}

/** Helps a renderer module keep its input type inferred from its schema. */
export const defineRenderer = <S extends z.ZodType, P = void>(renderer: Renderer<S, P>): Renderer<S, P> =>
  renderer;
