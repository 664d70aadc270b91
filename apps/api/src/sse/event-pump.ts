import { compareEventIds, type JobEvent } from "@kiln/core";
import type { EventListener } from "@kiln/queue";
import { ProgressFilter } from "./monotonic-progress.ts";
import type { EventStreamSession, StreamCloseListener } from "./open-event-stream.ts";

/** What a stream reads besides the live events: which of them are its own, and the durable replay. */
export interface StreamSource {
  /** Which live events belong to this stream. */
  accepts(event: JobEvent): boolean;
  /** Events after an id, from the durable streams (used after a subscriber reconnect). */
  replay(afterId: string): Promise<JobEvent[]>;
  /**
   * Called after a live event is written; `true` ends the stream (a terminal job event). What
   * `start` writes first is judged by its caller, who alone knows which of it is current.
   */
  isLast(event: JobEvent): boolean;
}

/**
 * Orders and de-duplicates one SSE client's events, and never moves a job's progress backwards.
 * Live events arrive from the moment the client subscribes; until `start(afterId)` they are held,
 * then only those after the position reached by the snapshot/replay are written. That makes
 * subscribe → snapshot race-free. While a replay after a subscriber reconnect is read, live events
 * are held the same way. A class, not closures: one per open stream, ten thousand of them share
 * its methods.
 */
export class EventPump implements EventListener, StreamCloseListener {
  /** The newest event id written; `null` until `start`. */
  #lastId: string | null = null;
  /** Live events waiting for `start` or for a replay to finish. */
  #held: JobEvent[] = [];
  #replaying = false;
  /** The subscriber reconnected again during a replay: what that replay read may miss events. */
  #replayAgain = false;
  #ended = false;
  readonly #progress = new ProgressFilter();
  /** Set once subscribed: releases the live subscription. */
  unsubscribe: (() => void) | undefined;

  constructor(
    private readonly session: EventStreamSession,
    private readonly source: StreamSource,
  ) {}

  get ended() {
    return this.#ended;
  }

  onEvent(event: JobEvent) {
    if (this.#ended || !this.source.accepts(event)) return;
    if (this.#lastId === null || this.#replaying) this.#held.push(event);
    else this.#deliver(event);
  }

  onResync() {
    if (this.#lastId === null || this.#ended) return;
    if (this.#replaying) {
      this.#replayAgain = true;
      return;
    }
    this.#replaying = true;
    this.source
      .replay(this.#lastId)
      .then((events) => {
        for (const event of events) this.#deliver(event);
        this.#replaying = false;
        if (this.#replayAgain) {
          this.#replayAgain = false;
          this.onResync();
        } else {
          this.#drainHeld();
        }
      })
      .catch(() => this.end());
  }

  /**
   * Writes what the caller read first (snapshot or replay), then the held live events after it.
   * `last`: `first` closes with the job's current terminal event, so the stream ends after it.
   */
  start(first: JobEvent[], afterId: string, { last = false }: { last?: boolean } = {}) {
    if (this.#ended) return;
    let position = afterId;
    for (const event of first) {
      if (compareEventIds(event.id, position) > 0) position = event.id;
      this.#write(event);
    }
    if (last) return this.end();
    this.#lastId = position;
    this.#drainHeld();
  }

  /** Ends the stream. */
  end() {
    if (this.#ended) return;
    this.#ended = true;
    this.#held = [];
    this.session.end();
  }

  /** The stream ended, whoever ended it. */
  streamClosed() {
    this.unsubscribe?.();
    this.end();
  }

  #drainHeld() {
    if (this.#held.length === 0) return;
    const pending = this.#held.sort((a, b) => compareEventIds(a.id, b.id));
    this.#held = [];
    for (const event of pending) this.#deliver(event);
  }

  #deliver(event: JobEvent) {
    if (this.#ended || (this.#lastId !== null && compareEventIds(event.id, this.#lastId) <= 0)) return;
    this.#lastId = event.id;
    this.#write(event);
    if (this.source.isLast(event)) this.end();
  }

  #write(event: JobEvent) {
    if (this.#progress.admits(event)) this.session.write(event);
  }
}
