/**
 * How many event streams this process opens at once: the work between a stream's authenticated
 * request and its response (rate limit, open-stream slot, the start of its subscription). The rest
 * wait their turn, taken round-robin between companies, so that one company's burst of reconnects
 * delays another company's open by about one turn per company waiting, not by the whole burst
 * (apps/api/test/sse/stream-open-turns.test.ts: 15th of 301 instead of last). A turn is held only
 * for server-side work, never for anything the client does: the request has been read and
 * authenticated before it queues, so no client decides how long a turn lasts.
 */
export class StreamOpenGate {
  #opening = 0;
  /** Waiting opens per company, companies in turn order (a Map keeps insertion order). */
  readonly #waiting = new Map<string, (() => void)[]>();

  constructor(readonly limit: number) {}

  /** Opens under way. */
  get opening(): number {
    return this.#opening;
  }

  /** Opens waiting for a turn. */
  get waiting(): number {
    let waiting = 0;
    for (const line of this.#waiting.values()) waiting += line.length;
    return waiting;
  }

  /** Resolves when the company's open may run; call `release()` once it has opened or failed. */
  acquire(companyId: string): Promise<void> {
    if (this.#opening < this.limit) {
      this.#opening++;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const line = this.#waiting.get(companyId);
      if (line) line.push(resolve);
      else this.#waiting.set(companyId, [resolve]);
    });
  }

  /** Hands the turn to the next company's oldest waiting open, or frees it. */
  release(): void {
    const next = this.#waiting.entries().next();
    if (next.done) {
      this.#opening--;
      return;
    }
    const [companyId, line] = next.value;
    const resolve = line.shift()!;
    // The company goes to the back of the turn order, or leaves it with nothing left waiting.
    this.#waiting.delete(companyId);
    if (line.length > 0) this.#waiting.set(companyId, line);
    resolve();
  }

  /** Runs `open` in the company's turn. */
  async run<T>(companyId: string, open: () => Promise<T>): Promise<T> {
    await this.acquire(companyId);
    try {
      return await open();
    } finally {
      this.release();
    }
  }
}
