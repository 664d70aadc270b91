import type { MessagePort } from "node:worker_threads";
import type { ArtifactInput } from "@kiln/core";

/** One render sent to an isolated thread. */
export interface RenderTask {
  jobType: string;
  /** The job's input as stored: the thread validates it with the renderer's schema. */
  input: unknown;
  jobId: string;
  companyId: string;
  attempt: number;
  /** Carries progress and log lines back while the render runs, then `end`. */
  port: MessagePort;
}

/** A render error as it crosses the thread boundary (class instances do not survive the copy). */
export interface ThreadRenderError {
  code: string;
  message: string;
  retryable: boolean;
}

export type RenderTaskResult =
  | { ok: true; artifacts: ArtifactInput[]; prepared: unknown }
  | { ok: false; error: ThreadRenderError };

export type LogLevel = "debug" | "info" | "warn" | "error";

/** What the thread posts on its port while rendering. */
export type ThreadMessage =
  /** The thread took the task: the render's time limit runs from here, not from a thread's start-up. */
  | { type: "start" }
  | { type: "progress"; progress: number; stage: string; message?: string }
  | { type: "log"; level: LogLevel; obj: object; msg?: string }
  /** The last message of a render: everything it posted before has arrived. */
  | { type: "end" };
