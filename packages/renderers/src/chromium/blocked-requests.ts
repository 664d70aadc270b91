/** Entries kept per job: enough to diagnose a document, bounded so metadata stays small. */
const maxEntries = 100;
const maxUrlChars = 500;

/**
 * The URLs a page tried to load and was refused, deduplicated and capped. They end up in the
 * artifact's metadata so a caller can see why an image is missing instead of guessing.
 */
export class BlockedRequestLog {
  readonly #urls = new Set<string>();
  #dropped = 0;

  record(url: string): void {
    // data: URLs are the one thing pages may load; about: is the page itself.
    if (url === "" || /^(data|about):/i.test(url)) return;
    const entry = url.length > maxUrlChars ? `${url.slice(0, maxUrlChars - 1)}…` : url;
    if (this.#urls.has(entry)) return;
    if (this.#urls.size >= maxEntries) {
      this.#dropped++;
      return;
    }
    this.#urls.add(entry);
  }

  /** The recorded URLs, in the order first seen. */
  list(): string[] {
    return [...this.#urls];
  }

  /** Distinct URLs not kept because the log was full. */
  get dropped(): number {
    return this.#dropped;
  }
}
