import type { HttpBindings } from "@hono/node-server";
import type { JobEvent } from "@kiln/core";
import type { Context } from "hono";
import type { AppEnv } from "../services.ts";
import { closingFrame, connectedFrame, eventFrame, pingFrame } from "./sse-frames.ts";
import type { OpenStream, SseRegistry, StreamEnding } from "./sse-registry.ts";

export interface EventStreamSession {
  /** Writes one event, unless the stream is ending. */
  write(event: JobEvent): void;
  /** Ends the stream from the server side. */
  end(): void;
  /** Runs when the stream ends, whoever ended it: release listeners and subscriptions here. */
  onClose(cleanup: () => void): void;
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
  /** Holds the stream while it is open: its heartbeat, revocation and shutdown. */
  registry: SseRegistry;
  credential: StreamCredential;
  /** Writes the opening events; the stream stays open until it or the client ends it. */
  run(session: EventStreamSession): Promise<void>;
  onError(error: unknown): void;
  /** Runs once when the stream ends, however it ends (e.g. frees its open-stream slot). */
  onEnd?: () => void;
  now?: () => number;
}

/** The Node response under `@hono/node-server`; absent under `app.request()` and other runtimes. */
type NodeResponse = Pick<HttpBindings["outgoing"], "write">;

/**
 * One open SSE stream. Its body is a ReadableStream that the HTTP server reads; under
 * `@hono/node-server`, once the server has sent the head and read what was queued before (it asks
 * for more: `pull`), every later write goes straight to the Node response instead — one call per
 * event rather than a promise hop per stage of a web stream — and the read it waits on ends only
 * with the stream. Elsewhere (`app.request()`), every write is queued on the body.
 * A class, not closures: ten thousand streams share its methods.
 */
class EventStream implements EventStreamSession, OpenStream {
  readonly body: ReadableStream<Uint8Array>;
  #controller!: ReadableStreamDefaultController<Uint8Array>;
  /** The Node response, once writes may go straight to it. */
  #direct: NodeResponse | undefined;
  /** Set once the server decides to end the stream: nothing is written after its closing words. */
  #ending = false;
  #closed = false;
  #cleanups: (() => void)[] = [];
  #expiry: ReturnType<typeof setTimeout> | undefined;

  constructor(
    readonly keyId: string,
    private readonly registry: SseRegistry,
    private readonly onEnd: (() => void) | undefined,
    node: NodeResponse | undefined,
  ) {
    this.body = new ReadableStream<Uint8Array>(
      {
        start: (controller) => {
          this.#controller = controller;
        },
        // Called when the reader waits and the queue is empty: everything queued so far is written.
        pull: () => {
          if (node && !this.#closed) this.#direct = node;
        },
        // The client went away (or the server's reader gave up on the response).
        cancel: () => this.#release(),
      },
      { highWaterMark: 0 },
    );
    // A comment first flushes the headers through any proxy before the snapshot is read.
    this.#send(connectedFrame);
  }

  /** Ends the stream at `atMs` (a stream token's expiry), telling the client to reconnect. */
  expireAt(atMs: number, now: number) {
    this.#expiry = setTimeout(
      () => void this.close({ reason: "the stream token expired", retryMs: tokenExpiredRetryMs }),
      Math.max(0, atMs - now),
    );
  }

  write(event: JobEvent) {
    if (!this.#ending && !this.#closed) this.#send(eventFrame(event));
  }

  ping() {
    if (!this.#ending && !this.#closed) this.#send(pingFrame);
  }

  #send(bytes: Uint8Array) {
    if (this.#direct) {
      this.#direct.write(bytes);
      return;
    }
    try {
      this.#controller.enqueue(bytes);
    } catch {
      this.#release();
    }
  }

  /** Tells the client why (and when to reconnect), then ends the stream. */
  async close(ending: StreamEnding) {
    if (this.#ending || this.#closed) return;
    this.#ending = true;
    this.#send(closingFrame(ending));
    this.end();
  }

  /** Ends the response, after everything written so far. */
  end() {
    if (this.#closed) return;
    this.#release();
    try {
      this.#controller.close();
    } catch {
      // Already cancelled by the client.
    }
  }

  onClose(cleanup: () => void) {
    if (this.#closed) cleanup();
    else this.#cleanups.push(cleanup);
  }

  /** Frees what the stream holds, once, however it ends. */
  #release() {
    if (this.#closed) return;
    this.#closed = true;
    this.#direct = undefined;
    clearTimeout(this.#expiry);
    this.registry.delete(this);
    for (const cleanup of this.#cleanups.splice(0)) cleanup();
    this.onEnd?.();
  }
}

/**
 * Opens an SSE response: headers at once, a `: ping` comment every `KILN_SSE_PING_MS` (the
 * registry's one heartbeat), and cleanup however it ends. The stream ends when its credential
 * dies: the key is revoked (via the registry) or the token expires.
 */
export const openEventStream = (
  c: Context,
  { registry, credential, run, onError, onEnd, now = Date.now }: OpenEventStreamOptions,
) => {
  const node = (c.env as Partial<HttpBindings> | undefined)?.outgoing;
  const stream = new EventStream(credential.keyId, registry, onEnd, node);
  registry.add(stream);
  if (credential.expiresAtMs !== undefined) stream.expireAt(credential.expiresAtMs, now());
  run(stream).catch((error: unknown) => {
    onError(error);
    stream.end();
  });
  return c.body(stream.body, 200, {
    "Content-Type": "text/event-stream",
    "Cache-Control": "no-cache, no-transform",
    Connection: "keep-alive",
    "Transfer-Encoding": "chunked",
    "X-Accel-Buffering": "no",
  });
};
