import type { Browser } from "playwright-core";
import { type LockedDownPage, openLockedDownPage } from "./locked-down-page.ts";

interface Spare {
  browser: Browser;
  opening: Promise<LockedDownPage>;
}

const closeSpare = (spare: Spare): void => {
  spare.opening.then(({ context }) => context.close()).catch(() => undefined);
};

/**
 * One locked-down page opened ahead of need. Opening a context and page starts a renderer
 * process, which is most of a small job's latency; with a spare ready the next job starts
 * laying out at once. Each spare is still a fresh context that serves exactly one job.
 */
export class SparePage {
  readonly #enabled: boolean;
  #spare?: Spare;
  #taken = 0;

  /** @param enabled false: `prepare` opens nothing and every job opens its own page. */
  constructor(enabled = true) {
    this.#enabled = enabled;
  }

  /** Jobs that started on a page opened ahead of need. */
  get taken(): number {
    return this.#taken;
  }

  /** The spare if it was opened on `browser` (falling back to a fresh page if it failed), else a fresh page. */
  take(browser: Browser): Promise<LockedDownPage> {
    const spare = this.#spare;
    this.#spare = undefined;
    if (spare?.browser === browser) {
      this.#taken++;
      return spare.opening.catch(() => openLockedDownPage(browser));
    }
    if (spare) closeSpare(spare);
    return openLockedDownPage(browser);
  }

  /** Starts opening the next spare on `browser`, unless one is already there. */
  prepare(browser: Browser): void {
    if (!this.#enabled || this.#spare?.browser === browser) return;
    this.discard();
    const opening = openLockedDownPage(browser);
    opening.catch(() => undefined);
    this.#spare = { browser, opening };
  }

  /** Closes the spare — only if it lives on `browser`, when given. */
  discard(browser?: Browser): void {
    const spare = this.#spare;
    if (!spare || (browser !== undefined && spare.browser !== browser)) return;
    this.#spare = undefined;
    closeSpare(spare);
  }
}
