/** Why the server ends a stream: sent to the client before the stream closes. */
export interface StreamEnding {
  /** Written as an SSE comment, `: closed: <reason>`. */
  reason: string;
  /** A `retry:` hint (ms): how soon an EventSource reconnects. None: the browser's default. */
  retryMs?: number;
}

/** One open SSE stream, as the registry sees it. */
export interface OpenStream {
  /** The API key that opened it, directly or through a stream token that key minted. */
  readonly keyId: string;
  /** Writes the heartbeat comment. */
  ping(): void;
  close(ending: StreamEnding): Promise<void>;
}

/**
 * Every open SSE stream of this process, so shutdown can end them, a revoked key's streams can
 * be ended, and metrics can count them. One timer pings them all (not a timer per stream).
 */
export interface SseRegistry {
  add(stream: OpenStream): void;
  delete(stream: OpenStream): void;
  size(): number;
  /** The distinct keys that have streams open here. */
  keyIds(): string[];
  /**
   * Ends every stream of a revoked key, and for `revokedMemoryMs` ends at once any stream of that
   * key registered later (one authenticated just before the revocation committed). Resolves with
   * how many streams were open.
   */
  closeByKey(keyId: string): Promise<number>;
  /** Ends every stream with a `retry:` hint, so clients reconnect (to another instance). */
  closeAll(retryMs: number): Promise<void>;
  /** Stops the heartbeat (streams are closed before this, by `closeAll`). */
  close(): void;
}

export interface SseRegistryOptions {
  /**
   * How often every open stream is sent a `: ping` comment, from one timer: a stream's first ping
   * comes within `pingMs` of its opening, then every `pingMs`. Default 15 000 ms.
   */
  pingMs?: number;
  /** How long a revoked key is remembered, to end streams registered after the revocation. Default 10 min. */
  revokedMemoryMs?: number;
  now?: () => number;
}

export const revokedEnding: StreamEnding = { reason: "the credentials were revoked" };

export const createSseRegistry = ({
  pingMs = 15_000,
  revokedMemoryMs = 10 * 60_000,
  now = Date.now,
}: SseRegistryOptions = {}): SseRegistry => {
  const open = new Set<OpenStream>();
  const heartbeat = setInterval(() => {
    for (const stream of open) stream.ping();
  }, pingMs);
  heartbeat.unref();
  const revokedAt = new Map<string, number>();
  const forgetOldRevocations = () => {
    for (const [keyId, at] of revokedAt) if (now() - at > revokedMemoryMs) revokedAt.delete(keyId);
  };
  return {
    add(stream) {
      open.add(stream);
      forgetOldRevocations();
      if (revokedAt.has(stream.keyId)) queueMicrotask(() => void stream.close(revokedEnding));
    },
    delete(stream) {
      open.delete(stream);
    },
    size: () => open.size,
    keyIds: () => {
      const keyIds = new Set<string>();
      for (const stream of open) keyIds.add(stream.keyId);
      return [...keyIds];
    },
    async closeByKey(keyId) {
      forgetOldRevocations();
      revokedAt.set(keyId, now());
      const matching: OpenStream[] = [];
      for (const stream of open) if (stream.keyId === keyId) matching.push(stream);
      await Promise.allSettled(matching.map((stream) => stream.close(revokedEnding)));
      return matching.length;
    },
    async closeAll(retryMs) {
      await Promise.allSettled(
        [...open].map((stream) => stream.close({ reason: "server shutting down", retryMs })),
      );
      open.clear();
    },
    close() {
      clearInterval(heartbeat);
    },
  };
};
