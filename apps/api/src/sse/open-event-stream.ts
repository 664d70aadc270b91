import type { JobEvent } from "@kiln/core";
import type { Context } from "hono";
import { type SSEStreamingApi, streamSSE } from "hono/streaming";
import type { SseRegistry } from "./sse-registry.ts";

export interface EventStreamSession {
  write(event: JobEvent): Promise<void>;
  /** Ends the stream from the server side. */
  close(): Promise<void>;
  /** Runs when the stream ends, whoever ended it: release listeners and subscriptions here. */
  onClose(cleanup: () => void): void;
  readonly signal: AbortSignal;
}

export interface OpenEventStreamOptions {
  registry: SseRegistry;
  pingMs: number;
  /** Writes the opening events; the stream stays open until it or the client ends it. */
  run(session: EventStreamSession): Promise<void>;
  onError(error: unknown): void;
}

/** Opens an SSE response: headers at once, `: ping` comments, and cleanup however it ends. */
export const openEventStream = (c: Context, { registry, pingMs, run, onError }: OpenEventStreamOptions) => {
  c.header("Cache-Control", "no-cache, no-transform");
  c.header("X-Accel-Buffering", "no");
  return streamSSE(
    c,
    async (stream: SSEStreamingApi) => {
      const abort = new AbortController();
      const cleanups: (() => void)[] = [];
      let finish: () => void = () => {};
      const finished = new Promise<void>((resolve) => {
        finish = resolve;
      });
      const shutDown = () => {
        if (abort.signal.aborted) return;
        abort.abort();
        clearInterval(ping);
        unregister();
        for (const cleanup of cleanups.splice(0)) cleanup();
        finish();
      };
      const ping = setInterval(() => {
        stream.write(": ping\n\n").catch(shutDown);
      }, pingMs);
      const unregister = registry.add(async (retryMs) => {
        await stream.write(`retry: ${retryMs}\n\n`).catch(() => {});
        shutDown();
      });
      stream.onAbort(shutDown);

      const session: EventStreamSession = {
        signal: abort.signal,
        write: (event) =>
          stream.writeSSE({ id: event.id, event: event.type, data: JSON.stringify(event.data) }),
        close: async () => shutDown(),
        onClose: (cleanup) => {
          if (abort.signal.aborted) cleanup();
          else cleanups.push(cleanup);
        },
      };
      try {
        // A comment first flushes the headers through any proxy before the snapshot is read.
        await stream.write(": connected\n\n");
        await run(session);
      } catch (error) {
        onError(error);
        shutDown();
      }
      await finished;
    },
    async (error) => {
      onError(error);
    },
  );
};
