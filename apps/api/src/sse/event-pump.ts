import { compareEventIds, type JobEvent, streamStart } from "@kiln/core";

export interface EventPumpOptions {
  /** Writes one event to the client; called in order, one at a time. */
  write(event: JobEvent): Promise<void>;
  /** Events after an id, from the durable streams (used after a subscriber reconnect). */
  replay(afterId: string): Promise<JobEvent[]>;
  /** Which live events belong to this stream. */
  accepts(event: JobEvent): boolean;
  /**
   * Called after a live event is written; return `true` to end the stream (a terminal job event).
   * What `start` writes first is judged by its caller, who alone knows which of it is current.
   */
  isLast?(event: JobEvent): boolean;
  onEnd(): void;
}

/**
 * Orders and de-duplicates one SSE client's events. Live events arrive from the moment the
 * client subscribes; until `start(afterId)` they are held, then only those after the position
 * reached by the snapshot/replay are written. That makes subscribe → snapshot race-free.
 */
export const createEventPump = (options: EventPumpOptions) => {
  let lastId: string | null = null;
  let held: JobEvent[] = [];
  let chain = Promise.resolve();
  let ended = false;

  const deliver = async (event: JobEvent) => {
    if (ended || (lastId !== null && compareEventIds(event.id, lastId) <= 0)) return;
    lastId = event.id;
    await options.write(event);
    if (options.isLast?.(event)) end();
  };
  const enqueue = (work: () => Promise<void>) => {
    chain = chain.then(work).catch(() => end());
    return chain;
  };
  const end = () => {
    if (ended) return;
    ended = true;
    held = [];
    options.onEnd();
  };

  return {
    /** The listener to register with the event hub. */
    listener: {
      onEvent(event: JobEvent) {
        if (ended || !options.accepts(event)) return;
        if (lastId === null) held.push(event);
        else void enqueue(() => deliver(event));
      },
      onResync() {
        if (lastId === null || ended) return;
        void enqueue(async () => {
          for (const event of await options.replay(lastId ?? streamStart)) await deliver(event);
        });
      },
    },
    /**
     * Writes what the caller read first (snapshot or replay), then the held live events after it.
     * `last`: `first` closes with the job's current terminal event, so the stream ends after it.
     */
    start(first: JobEvent[], afterId: string, { last = false }: { last?: boolean } = {}): Promise<void> {
      return enqueue(async () => {
        let position = afterId;
        for (const event of first) {
          if (ended) return;
          if (compareEventIds(event.id, position) > 0) position = event.id;
          await options.write(event);
        }
        if (last) return end();
        lastId = position;
        const pending = held.sort((a, b) => compareEventIds(a.id, b.id));
        held = [];
        for (const event of pending) await deliver(event);
      });
    },
    get ended() {
      return ended;
    },
    end,
  };
};
