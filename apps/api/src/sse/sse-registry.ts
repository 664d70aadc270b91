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
  keyId: string;
  close(ending: StreamEnding): Promise<void>;
}

/**
 * Every open SSE stream of this process, so shutdown can end them, a revoked key's streams can
 * be ended, and metrics can count them.
 */
export interface SseRegistry {
  /** Registers a stream; the returned function unregisters it. */
  add(stream: OpenStream): () => void;
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
}

export interface SseRegistryOptions {
  /** How long a revoked key is remembered, to end streams registered after the revocation. Default 10 min. */
  revokedMemoryMs?: number;
  now?: () => number;
}

export const revokedEnding: StreamEnding = { reason: "the credentials were revoked" };

export const createSseRegistry = ({
  revokedMemoryMs = 10 * 60_000,
  now = Date.now,
}: SseRegistryOptions = {}): SseRegistry => {
  const open = new Set<OpenStream>();
  const revokedAt = new Map<string, number>();
  const forgetOldRevocations = () => {
    for (const [keyId, at] of revokedAt) if (now() - at > revokedMemoryMs) revokedAt.delete(keyId);
  };
  return {
    add(stream) {
      open.add(stream);
      forgetOldRevocations();
      if (revokedAt.has(stream.keyId)) queueMicrotask(() => void stream.close(revokedEnding));
      return () => {
        open.delete(stream);
      };
    },
    size: () => open.size,
    keyIds: () => [...new Set([...open].map((stream) => stream.keyId))],
    async closeByKey(keyId) {
      forgetOldRevocations();
      revokedAt.set(keyId, now());
      const matching = [...open].filter((stream) => stream.keyId === keyId);
      await Promise.allSettled(matching.map((stream) => stream.close(revokedEnding)));
      return matching.length;
    },
    async closeAll(retryMs) {
      await Promise.allSettled(
        [...open].map((stream) => stream.close({ reason: "server shutting down", retryMs })),
      );
      open.clear();
    },
  };
};
