import { getPriority, setPriority } from "node:os";
import type { MessagePort } from "node:worker_threads";
import { type ArtifactInput, type Logger, type RenderContext, RenderError } from "@kiln/core";
import { createRendererRegistry } from "../registry.ts";
import type { LogLevel, RenderTask, RenderTaskResult, ThreadMessage } from "./render-task.ts";

// This thread's own registry: only `render` runs here; nothing in it launches a browser.
const renderers = createRendererRegistry();

/**
 * Renders yield the CPU to the worker's own loop (locks, cancels, metrics) when the cores are
 * busy. On Linux a priority applies to the calling thread alone; elsewhere it would lower the
 * whole process, so it is left as it is.
 */
const renderThreadNiceness = 10;
if (process.platform === "linux") {
  try {
    setPriority(0, Math.min(19, getPriority(0) + renderThreadNiceness));
  } catch {
    // Not permitted here (a locked-down container): renders keep the worker's priority.
  }
}

const post = (port: MessagePort, message: ThreadMessage) => port.postMessage(message);

/** A logger whose lines travel to the worker's logger, with this thread's bindings folded in. */
const portLogger = (port: MessagePort, bindings: Record<string, unknown>): Logger => {
  const line =
    (level: LogLevel) =>
    (obj: object | string, msg?: string): void => {
      const fields = typeof obj === "string" ? { ...bindings } : { ...bindings, ...obj };
      try {
        post(port, { type: "log", level, obj: fields, msg: typeof obj === "string" ? obj : msg });
      } catch {
        // A field that cannot be copied across threads (a function, say): keep the line, drop the fields.
        post(port, { type: "log", level, obj: bindings, msg: typeof obj === "string" ? obj : msg });
      }
    };
  return {
    debug: line("debug"),
    info: line("info"),
    warn: line("warn"),
    error: line("error"),
    child: (more) => portLogger(port, { ...bindings, ...more }),
  };
};

const toThreadError = (error: unknown): RenderTaskResult => {
  if (error instanceof RenderError) {
    return { ok: false, error: { code: error.code, message: error.message, retryable: error.retryable } };
  }
  const message = error instanceof Error ? error.message : String(error);
  return { ok: false, error: { code: "render_failed", message, retryable: true } };
};

/**
 * Runs one renderer's `render` inside an isolated thread. The signal it hands the renderer never
 * fires: a cancel or a timeout terminates this whole thread instead, which stops even a render
 * stuck in a loop that never yields.
 */
export const runRenderTask = async (task: RenderTask): Promise<RenderTaskResult> => {
  const { port } = task;
  post(port, { type: "start" });
  try {
    const renderer = renderers.get(task.jobType);
    if (!renderer) {
      throw new RenderError("unknown_job_type", `no renderer for ${task.jobType}`, { retryable: false });
    }
    const input = renderer.inputSchema.safeParse(task.input);
    if (!input.success) throw new RenderError("invalid_input", input.error.message, { retryable: false });
    const artifacts: ArtifactInput[] = [];
    const ctx: RenderContext = {
      jobId: task.jobId,
      companyId: task.companyId,
      attempt: task.attempt,
      signal: new AbortController().signal,
      logger: portLogger(port, {}),
      reportProgress: (progress, stage, message) =>
        post(port, { type: "progress", progress, stage, ...(message !== undefined && { message }) }),
      async writeArtifact(artifact) {
        artifacts.push(artifact);
      },
    };
    const prepared = await renderer.render(input.data, ctx);
    return { ok: true, artifacts, prepared };
  } catch (error) {
    return toThreadError(error);
  } finally {
    // Messages arrive in order: once the worker sees this one, it has seen every other.
    post(port, { type: "end" });
    port.close();
  }
};
