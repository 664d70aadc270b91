import type { HttpBindings } from "@hono/node-server";
import { RESPONSE_ALREADY_SENT } from "@hono/node-server/utils/response";
import type { JobEvent } from "@kiln/core";
import type { Context } from "hono";
import type { AppEnv } from "../services.ts";
import { closingFrame, connectedFrame, eventFrame, pingFrame } from "./sse-frames.ts";
import type { OpenStream, SseRegistry, StreamEnding } from "./sse-registry.ts";

/** Told once when a stream ends, whoever ended it: release listeners and subscriptions there. */
export interface StreamCloseListener {
  streamClosed(): void;
}

export interface EventStreamSession {
  /** Writes one event, unless the stream is ending. */
  write(event: JobEvent): void;
  /** Ends the stream from the server side. */
  end(): void;
  onClose(listener: StreamCloseListener): void;
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
  /** Released once when the stream ends, however it ends (its open-stream slot). */
  slot?: { release(): void };
  now?: () => number;
}

type NodeResponse = HttpBindings["outgoing"];

const streamHeaders = {
  "Content-Type": "text/event-stream",
  "Cache-Control": "no-cache, no-transform",
  Connection: "keep-alive",
  "Transfer-Encoding": "chunked",
  "X-Accel-Buffering": "no",
};

/** @hono/node-server's mark of a response the handler writes itself (`RESPONSE_ALREADY_SENT`). */
const [[alreadySentHeader = "x-hono-already-sent"] = []] = [...RESPONSE_ALREADY_SENT.headers];

/**
 * One open SSE stream. Under @hono/node-server it writes to the Node response itself: one call per
 * event, nothing per stream but this object — a web ReadableStream and the adapter's loop reading
 * it cost several KiB and a chain of promises per event, for ten thousand streams. Elsewhere
 * (`app.request()`), its bytes are queued on a ReadableStream body. A class, not closures: every
 * stream shares its methods.
 */
class EventStream implements EventStreamSession, OpenStream {
  /** The Node response, once its head is written. */
  #node: NodeResponse | undefined;
  /** The body's controller, off Node. */
  #controller: ReadableStreamDefaultController<Uint8Array> | undefined;
  /** What was written before the head went out. */
  #early: Uint8Array[] | undefined = [];
  /** Set once the server decides to end the stream: nothing is written after its closing words. */
  #ending = false;
  #closed = false;
  #listeners: StreamCloseListener[] = [];
  #expiry: ReturnType<typeof setTimeout> | undefined;

  constructor(
    readonly keyId: string,
    private readonly registry: SseRegistry,
    private readonly slot: { release(): void } | undefined,
  ) {
    // A comment first flushes the headers through any proxy before the snapshot is read.
    this.#send(connectedFrame);
  }

  /** Sends the head and everything written so far to the Node response, then writes straight to it. */
  attachNode(node: NodeResponse, headers: Record<string, string>) {
    if (node.destroyed) return this.#release();
    node.writeHead(200, headers);
    for (const bytes of this.#early ?? []) node.write(bytes);
    this.#early = undefined;
    if (this.#ending) {
      node.end();
      return;
    }
    this.#node = node;
    node.on("close", () => this.#release());
  }

  /** Off Node: the body the response streams. */
  webBody(): ReadableStream<Uint8Array> {
    return new ReadableStream<Uint8Array>({
      start: (controller) => {
        this.#controller = controller;
        for (const bytes of this.#early ?? []) controller.enqueue(bytes);
        this.#early = undefined;
        if (this.#ending) controller.close();
      },
      cancel: () => this.#release(),
    });
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

  /** Tells the client why (and when to reconnect), then ends the stream. */
  async close(ending: StreamEnding) {
    if (this.#ending || this.#closed) return;
    this.#send(closingFrame(ending));
    this.end();
  }

  /** Ends the response, after everything written so far. */
  end() {
    if (this.#ending) return;
    this.#ending = true;
    if (this.#node) this.#node.end();
    else if (this.#controller) {
      try {
        this.#controller.close();
      } catch {
        // Already cancelled by the client.
      }
    }
    // Before its head is written, the stream ends as soon as it is (`attachNode`).
    this.#release();
  }

  onClose(listener: StreamCloseListener) {
    if (this.#closed) listener.streamClosed();
    else this.#listeners.push(listener);
  }

  #send(bytes: Uint8Array) {
    if (this.#node) this.#node.write(bytes);
    else if (this.#controller) {
      try {
        this.#controller.enqueue(bytes);
      } catch {
        this.#release();
      }
    } else this.#early?.push(bytes);
  }

  /** Frees what the stream holds, once, however it ends. */
  #release() {
    if (this.#closed) return;
    this.#closed = true;
    clearTimeout(this.#expiry);
    this.registry.delete(this);
    for (const listener of this.#listeners.splice(0)) listener.streamClosed();
    this.slot?.release();
  }
}

/**
 * Opens an SSE response: headers at once, a `: ping` comment every `KILN_SSE_PING_MS` (the
 * registry's one heartbeat), and cleanup however it ends. The stream ends when its credential
 * dies: the key is revoked (via the registry) or the token expires.
 */
export const openEventStream = (
  c: Context,
  { registry, credential, run, onError, slot, now = Date.now }: OpenEventStreamOptions,
): Response => {
  const stream = new EventStream(credential.keyId, registry, slot);
  registry.add(stream);
  if (credential.expiresAtMs !== undefined) stream.expireAt(credential.expiresAtMs, now());
  run(stream).catch((error: unknown) => {
    onError(error);
    stream.end();
  });
  const node = (c.env as Partial<HttpBindings> | undefined)?.outgoing;
  if (!node) return c.body(stream.webBody(), 200, streamHeaders);
  // The adapter leaves a response marked as already sent alone. Middleware still adds its headers
  // to it on the way out (`RateLimit`…), within this turn of the event loop: the stream writes the
  // head after that, with every header the final response has.
  const response = c.body(null, 200, { ...streamHeaders, [alreadySentHeader]: "true" });
  // The adapter's own Response answers a null body straight from a cache of its constructor's
  // arguments, marked or not; reading `body` turns it into a plain Response, whose mark it honours.
  void response.body;
  setImmediate(() => {
    const answer = c.res;
    // Something answered in the stream's stead (the adapter wrote that answer): nothing to stream.
    if (answer.headers.get(alreadySentHeader) !== "true") return stream.end();
    const headers: Record<string, string> = {};
    for (const [name, value] of answer.headers) if (name !== alreadySentHeader) headers[name] = value;
    stream.attachNode(node, headers);
  });
  return response;
};
