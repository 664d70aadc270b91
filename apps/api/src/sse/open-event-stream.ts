import type { JobEvent } from "@kiln/core";
import type { Context } from "hono";
import { type SSEStreamingApi, streamSSE } from "hono/streaming";
import type { AppEnv } from "../services.ts";
import type { SseRegistry, StreamEnding } from "./sse-registry.ts";

export interface EventStreamSession {
  write(event: JobEvent): Promise<void>;
  /** Ends the stream from the server side. */
  close(): Promise<void>;
  /** Runs when the stream ends, whoever ended it: release listeners and subscriptions here. */
  onClose(cleanup: () => void): void;
  readonly signal: AbortSignal;
}

/** What opened a stream: the key (checked by revocation) and, for a stream token, its expiry. */
export interface StreamCredential {
  keyId: string;
  /** Epoch ms at which the stream ends (a stream token's expiry); none for an API key header. */
  expiresAtMs?: number;
}

/** The credential of an SSE request, as the auth middleware established it. */
export const streamCredentialOf = (auth: AppEnv["Variables"]["auth"]): StreamCredential => {
  if (auth.kind === "key") return { keyId: auth.keyId };
  if (auth.kind === "stream") return { keyId: auth.keyId, expiresAtMs: auth.expiresAtMs };
  throw new Error("SSE routes admit API keys and stream tokens only");
};

/**
 * How soon an EventSource reconnects after its token expired: at once — that attempt is refused
 * (`401`), which stops the EventSource so the page mints a new token, instead of it looping.
 */
export const tokenExpiredRetryMs = 1_000;

export interface OpenEventStreamOptions {
  registry: SseRegistry;
  pingMs: number;
  credential: StreamCredential;
  /** Writes the opening events; the stream stays open until it or the client ends it. */
  run(session: EventStreamSession): Promise<void>;
  onError(error: unknown): void;
  /** Runs once when the stream ends, however it ends (e.g. frees its open-stream slot). */
  onEnd?: () => void;
  now?: () => number;
}

/**
 * Opens an SSE response: headers at once, `: ping` comments, and cleanup however it ends. The
 * stream ends when its credential dies: the key is revoked (via the registry) or the token expires.
 */
export const openEventStream = (
  c: Context,
  { registry, pingMs, credential, run, onError, onEnd, now = Date.now }: OpenEventStreamOptions,
) => {
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
        clearTimeout(expiry);
        unregister();
        for (const cleanup of cleanups.splice(0)) cleanup();
        onEnd?.();
        finish();
      };
      // Set once the server decides to end the stream: no event is written after the closing words.
      let ending = false;
      /** Tells the client why (and when to reconnect), then ends the stream. */
      const end = async ({ reason, retryMs }: StreamEnding) => {
        if (ending || abort.signal.aborted) return;
        ending = true;
        const retry = retryMs === undefined ? "" : `retry: ${retryMs}\n`;
        await stream.write(`${retry}: closed: ${reason}\n\n`).catch(() => {});
        shutDown();
      };
      const ping = setInterval(() => {
        stream.write(": ping\n\n").catch(shutDown);
      }, pingMs);
      const expiry =
        credential.expiresAtMs === undefined
          ? undefined
          : setTimeout(
              () => void end({ reason: "the stream token expired", retryMs: tokenExpiredRetryMs }),
              Math.max(0, credential.expiresAtMs - now()),
            );
      const unregister = registry.add({ keyId: credential.keyId, close: end });
      stream.onAbort(shutDown);

      const session: EventStreamSession = {
        signal: abort.signal,
        write: async (event) => {
          // Nothing more reaches a client once its stream is ending (e.g. its key was revoked).
          if (ending || abort.signal.aborted) return;
          await stream.writeSSE({ id: event.id, event: event.type, data: JSON.stringify(event.data) });
        },
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
