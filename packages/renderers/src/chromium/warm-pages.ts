import type { Browser } from "playwright-core";
import { type LockedDownPage, resetLockedDownPage } from "./locked-down-page.ts";

/** Jobs one warm page serves before it is closed: a renderer process's memory stays bounded. */
const maxJobsPerPage = 100;

interface WarmPage {
  browser: Browser;
  tenant: string;
  locked: LockedDownPage;
  /** Jobs the page has served. */
  jobs: number;
  /** Settles once the page is cleared: false when that failed (the page is then no use). */
  cleared: Promise<boolean>;
}

export const closePage = (warm: WarmPage): void => {
  warm.locked.context.close().catch(() => undefined);
};

/**
 * Idle locked-down pages kept for the tenant whose job just finished on them, at most `capacity`
 * (least recently used closed first). Opening a context costs a renderer process, most of a
 * small PDF's latency; a tenant's next job reuses its page instead, after the page went back to
 * `about:blank` (a new document: nothing of the last one's markup, policies or timers is left,
 * and with JavaScript off and no network a page keeps no storage or cookies). A page is never
 * handed to another tenant: its jobs get a fresh context. A page is kept at once and cleared in
 * the background, so a tenant's next job never misses it; that job awaits `cleared` first.
 */
export class WarmPages {
  readonly #idle: WarmPage[] = [];

  constructor(readonly capacity: number) {}

  /** The tenant's idle page on `browser`, if there is one; it is no longer idle. */
  take(browser: Browser, tenant: string): WarmPage | undefined {
    const index = this.#idle.findLastIndex((warm) => warm.browser === browser && warm.tenant === tenant);
    if (index === -1) return undefined;
    return this.#idle.splice(index, 1)[0];
  }

  /**
   * Keeps the page a job of `tenant` finished on for the tenant's next job, and starts clearing
   * it. False when it is not kept (worn out, or no room at all): the caller closes its context.
   */
  keep(browser: Browser, tenant: string, locked: LockedDownPage, jobs: number): boolean {
    if (this.capacity === 0 || jobs >= maxJobsPerPage) return false;
    const cleared = resetLockedDownPage(locked).then(
      () => true,
      () => false,
    );
    this.#idle.push({ browser, tenant, locked, jobs, cleared });
    while (this.#idle.length > this.capacity) closePage(this.#idle.shift()!);
    return true;
  }

  /** Closes the idle pages (on `browser` only, when given). */
  discard(browser?: Browser): void {
    for (let index = this.#idle.length - 1; index >= 0; index--) {
      const warm = this.#idle[index]!;
      if (browser !== undefined && warm.browser !== browser) continue;
      this.#idle.splice(index, 1);
      closePage(warm);
    }
  }

  get size(): number {
    return this.#idle.length;
  }
}

export type { WarmPage };
