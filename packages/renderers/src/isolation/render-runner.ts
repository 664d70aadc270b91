import { MessageChannel } from "node:worker_threads";
import {
  type Logger,
  type RenderContext,
  RenderError,
  type Renderer,
  type RenderLimits,
  silentLogger,
} from "@kiln/core";
import { Piscina } from "piscina";
import { bundleRenderThread } from "./bundle-render-thread.ts";
import type { RenderTask, RenderTaskResult, ThreadMessage } from "./render-task.ts";

export interface RenderRunnerOptions {
  /** The worker's registry: its `finishOnLoop` steps (and their browser) run in this process. */
  renderers: Map<string, Renderer>;
  /** Job types to keep a thread pool for. */
  jobTypes: string[];
  /** Renders at once per job type: the size of each job type's thread pool. */
  concurrency: number;
  /** Per job type overrides of the renderers' own `limits`. */
  limits?: Record<string, Partial<RenderLimits>>;
  /** How long an idle thread is kept before it is stopped, in ms. Default: 60000. */
  idleTimeoutMs?: number;
  /** Threads kept warm per job type even when idle. Default: 0 (a first render pays the thread's start-up). */
  minThreads?: number;
  /**
   * Time a render may wait for a thread to start and take it, before the attempt fails
   * retryably (`render_thread_unavailable`); not part of the render's own limit. Default: 60000.
   */
  threadStartTimeoutMs?: number;
  /**
   * Threads load one bundled JavaScript module built at start (fast thread start-up); `false`
   * makes them load the TypeScript sources through tsx instead, as when bundling fails. Default: true.
   */
  bundle?: boolean;
  /** Told about threads that die outside a render (an idle thread, say). Default: silent. */
  logger?: Logger;
}

export interface RenderRunner {
  /**
   * Runs one attempt of a job type on `input` (validated in the thread): `render` in an isolated
   * thread, then `finishOnLoop` here. Rejects with `render_timeout` / `render_memory` past the
   * limits, or with `ctx.signal`'s reason when it aborts; either way the thread is terminated.
   */
  run(jobType: string, input: unknown, ctx: RenderContext): Promise<void>;
  /** The limits in force for a job type. */
  limitsOf(jobType: string): RenderLimits;
  /** Stops every thread (renders still running are killed). */
  close(): Promise<void>;
}

/** The thread entry that needs no build: registers tsx in each thread, so it starts slower. */
const sourceThreadEntry = new URL("./render-thread.mjs", import.meta.url).href;

const isOutOfMemory = (error: unknown) =>
  (error as { code?: unknown } | null)?.code === "ERR_WORKER_OUT_OF_MEMORY";

const fromThread = ({ error }: Extract<RenderTaskResult, { ok: false }>) =>
  new RenderError(error.code, error.message, { retryable: error.retryable });

/**
 * Runs renderers off the worker's event loop: one piscina pool per job type, each thread capped at
 * the job type's heap limit, each render at its wall-clock limit. A thread that overruns either, or
 * whose job is cancelled, is terminated and replaced; the worker's loop never runs renderer code.
 */
export const createRenderRunner = async (options: RenderRunnerOptions): Promise<RenderRunner> => {
  const logger = options.logger ?? silentLogger;
  const threadEntry =
    options.bundle === false
      ? sourceThreadEntry
      : await bundleRenderThread().catch((error: unknown) => {
          logger.warn(
            { err: error },
            "render thread not bundled: threads load TypeScript sources (slower start)",
          );
          return sourceThreadEntry;
        });
  const limits = new Map<string, RenderLimits>();
  const pools = new Map<string, Piscina<RenderTask, RenderTaskResult>>();
  for (const jobType of options.jobTypes) {
    const renderer = options.renderers.get(jobType);
    if (!renderer) throw new Error(`unknown job type ${jobType}`);
    const limit = { ...renderer.limits, ...options.limits?.[jobType] };
    limits.set(jobType, limit);
    const pool = new Piscina<RenderTask, RenderTaskResult>({
      filename: threadEntry,
      name: "runRenderTask",
      minThreads: Math.min(options.minThreads ?? 0, options.concurrency),
      maxThreads: options.concurrency,
      idleTimeout: options.idleTimeoutMs ?? 60_000,
      // Threads must not inherit this process's flags (a debugger port, --max-old-space-size).
      execArgv: [],
      resourceLimits: {
        maxOldGenerationSizeMb: limit.memoryMb,
        maxYoungGenerationSizeMb: Math.max(4, Math.min(32, Math.floor(limit.memoryMb / 8))),
        stackSizeMb: 4,
      },
    });
    // A thread that dies between renders is replaced by the pool; unhandled, the event would
    // take the whole worker down with it.
    pool.on("error", (error: unknown) =>
      logger.warn({ err: error, jobType }, "a render thread died outside a render"),
    );
    pools.set(jobType, pool);
  }

  const runInThread = async (
    pool: Piscina<RenderTask, RenderTaskResult>,
    jobType: string,
    input: unknown,
    ctx: RenderContext,
    signal: AbortSignal,
    onStart: () => void,
  ): Promise<unknown> => {
    const { port1, port2 } = new MessageChannel();
    let ended: () => void = () => {};
    const drained = new Promise<void>((resolve) => {
      ended = resolve;
    });
    port1.on("message", (message: ThreadMessage) => {
      if (message.type === "progress") ctx.reportProgress(message.progress, message.stage, message.message);
      else if (message.type === "log") ctx.logger[message.level](message.obj, message.msg);
      else if (message.type === "start") onStart();
      else ended();
    });
    try {
      const task: RenderTask = {
        jobType,
        input,
        jobId: ctx.jobId,
        companyId: ctx.companyId,
        attempt: ctx.attempt,
        port: port2,
      };
      const result = await pool.run(task, { transferList: [port2], signal });
      // The result travels apart from the port: let progress posted before it land first.
      await drained;
      if (!result.ok) throw fromThread(result);
      for (const artifact of result.artifacts) await ctx.writeArtifact(artifact);
      return result.prepared;
    } finally {
      port1.close();
    }
  };

  const limitsOf = (jobType: string): RenderLimits => {
    const limit = limits.get(jobType);
    if (!limit) throw new Error(`no limits for ${jobType}`);
    return limit;
  };

  return {
    limitsOf,

    async run(jobType, input, ctx) {
      const pool = pools.get(jobType);
      const renderer = options.renderers.get(jobType);
      if (!pool || !renderer) {
        throw new RenderError("unknown_job_type", `this worker cannot render ${jobType}`, {
          retryable: false,
        });
      }
      const limit = limitsOf(jobType);
      // The time limit runs from the moment a thread takes the render; waiting for one to start
      // up has a bound of its own.
      const deadline = new AbortController();
      const startup = new AbortController();
      const timers = [setTimeout(() => startup.abort(), options.threadStartTimeoutMs ?? 60_000)];
      const onStart = () => {
        clearTimeout(timers[0]);
        timers.push(setTimeout(() => deadline.abort(), limit.timeoutMs));
      };
      const signal = AbortSignal.any([ctx.signal, deadline.signal, startup.signal]);
      const bounded: RenderContext = { ...ctx, signal };
      try {
        const prepared = await runInThread(pool, jobType, input, bounded, signal, onStart);
        if (renderer.finishOnLoop) await renderer.finishOnLoop(prepared, bounded);
        signal.throwIfAborted();
      } catch (error) {
        // The job's own abort (cancel, shutdown) wins: the worker tells those apart by its reason.
        if (ctx.signal.aborted) throw ctx.signal.reason;
        if (deadline.signal.aborted) {
          throw new RenderError(
            "render_timeout",
            `the render did not finish within ${limit.timeoutMs} ms (the ${jobType} limit)`,
            { retryable: false, cause: error },
          );
        }
        if (startup.signal.aborted) {
          throw new RenderError("render_thread_unavailable", "no render thread could start in time", {
            retryable: true,
            cause: error,
          });
        }
        if (isOutOfMemory(error)) {
          throw new RenderError(
            "render_memory",
            `the render needed more than ${limit.memoryMb} MiB of memory (the ${jobType} limit)`,
            { retryable: false, cause: error },
          );
        }
        if (error instanceof RenderError) throw error;
        // The thread died some other way (a crash in native code, say): worth another attempt.
        throw new RenderError("render_crashed", `the render thread stopped: ${String(error)}`, {
          retryable: true,
          cause: error,
        });
      } finally {
        for (const timer of timers) clearTimeout(timer);
      }
    },

    async close() {
      await Promise.allSettled([...pools.values()].map((pool) => pool.destroy()));
    },
  };
};
