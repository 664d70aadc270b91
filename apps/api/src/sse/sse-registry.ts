/** Every open SSE stream of this process, so shutdown can end them and metrics can count them. */
export interface SseRegistry {
  add(close: (retryMs: number) => Promise<void>): () => void;
  size(): number;
  /** Ends every stream with a `retry:` hint, so clients reconnect (to another instance). */
  closeAll(retryMs: number): Promise<void>;
}

export const createSseRegistry = (): SseRegistry => {
  const open = new Set<(retryMs: number) => Promise<void>>();
  return {
    add(close) {
      open.add(close);
      return () => {
        open.delete(close);
      };
    },
    size: () => open.size,
    async closeAll(retryMs) {
      await Promise.allSettled([...open].map((close) => close(retryMs)));
      open.clear();
    },
  };
};
