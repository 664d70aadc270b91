import { abortReason, RenderError, sleep } from "@kiln/core";
import type { Browser, Page } from "playwright-core";
import { raceAbort } from "../abort-signal.ts";
import type { BlockedRequestLog } from "./blocked-requests.ts";
import { checkChromiumExecutable, chromiumMissingMessage } from "./check-chromium.ts";
import {
  type ChromiumOptions,
  type ResolvedChromiumOptions,
  resolveChromiumOptions,
} from "./chromium-options.ts";
import { killChromiumProcesses, yieldToWorkerLoop } from "./chromium-processes.ts";
import { launchBrowser } from "./launch-browser.ts";
import {
  browserUnavailableError,
  browserUnresponsiveError,
  classifyRenderFailure,
  pageCrashedError,
  poolClosedError,
  renderTimeoutError,
} from "./render-failures.ts";
import { SlotLimiter } from "./slot-limiter.ts";
import { SparePage } from "./spare-page.ts";
import { closePage, WarmPages } from "./warm-pages.ts";

/** How long closing a context or a browser may take before we stop asking and SIGKILL it. */
const closeGraceMs = 5_000;

interface BrowserHandle {
  browser: Browser;
  /** `<poolId>/<launch number>/`, the environment marker of this browser's processes. */
  marker: string;
  renders: number;
  active: number;
  /** No new renders; closed once the active ones finish. */
  retired: boolean;
  /** Disconnected without us asking: crashed or killed. */
  crashed: boolean;
  closing?: Promise<void>;
}

/** One job's use of the pool. */
export interface PageTask<T> {
  signal: AbortSignal;
  /** Whose job this is: its page may be kept for the same tenant's next job, never another's. */
  tenant?: string;
  /** Called once the page is open, right before the render timeout starts. */
  onPageReady?: () => void;
  /** Lays out and prints; the page is locked down and closed afterwards, whatever happens. */
  run: (page: Page, blockedRequests: BlockedRequestLog) => Promise<T>;
}

const noop = () => undefined;
/** True when `promise` settles (either way) within the grace period, false when it hangs. */
const settlesWithinGrace = (promise: Promise<unknown>): Promise<boolean> =>
  Promise.race([
    promise.then(
      () => true,
      () => true,
    ),
    sleep(closeGraceMs).then(() => false),
  ]);

/**
 * One headless Chromium per process, launched on first use and reused; a locked-down context per
 * tenant (one fresh context is kept open ahead of need unless `sparePage` is false; a tenant's
 * page, cleared, is kept for its next job: warm-pages.ts); at most `concurrency` renders at once.
 * The browser is replaced after `maxRendersPerBrowser` renders, after a render timed out, or
 * when it crashed — a crash fails only the renders that were running on it.
 */
export class BrowserPool {
  /** Unique per pool; the prefix of every marker of its browsers' processes. */
  readonly poolId = crypto.randomUUID();
  readonly options: ResolvedChromiumOptions;
  #launches = 0;
  #current?: BrowserHandle;
  #launching?: Promise<BrowserHandle>;
  readonly #handles = new Set<BrowserHandle>();
  readonly #slots: SlotLimiter;
  readonly #spare: SparePage;
  readonly #warm: WarmPages;
  #pagesReused = 0;
  #closed = false;

  constructor(options: ChromiumOptions = {}) {
    this.options = resolveChromiumOptions(options);
    this.#slots = new SlotLimiter(this.options.concurrency);
    this.#warm = new WarmPages(this.options.warmPages);
    this.#spare = new SparePage(this.options.sparePage);
  }

  /** Browsers launched so far (a restart shows as a new launch). */
  get launches(): number {
    return this.#launches;
  }

  /** Renders that ran on a page their tenant's previous job left warm. */
  get pagesReused(): number {
    return this.#pagesReused;
  }

  /** Renders that started on the page opened ahead of need (see `sparePage`). */
  get sparePagesTaken(): number {
    return this.#spare.taken;
  }

  /** Idle pages kept for their tenants' next jobs. */
  get warmPages(): number {
    return this.#warm.size;
  }

  async render<T>(task: PageTask<T>): Promise<T> {
    if (this.#closed) throw poolClosedError();
    const release = await this.#slots.acquire(task.signal);
    let handle: BrowserHandle;
    try {
      handle = await raceAbort(this.#acquireBrowser(), task.signal);
    } catch (error) {
      release();
      throw error;
    }
    handle.renders++;
    handle.active++;
    const { result, cleanedUp } = this.#renderOn(handle, task);
    // The caller hears of an abort or a timeout at once; the slot stays taken until the
    // context is really gone, so a stuck page still counts against the concurrency.
    void cleanedUp.then(() => {
      handle.active--;
      if (handle.renders >= this.options.maxRendersPerBrowser) this.#retire(handle);
      else if (handle.retired && handle.active === 0) void this.#closeBrowser(handle);
      release();
    });
    return result;
  }

  /** Closes every browser (running renders fail retryably) and turns later renders away. */
  async close(): Promise<void> {
    this.#closed = true;
    this.#slots.rejectWaiting(poolClosedError());
    this.#spare.discard();
    this.#warm.discard();
    await this.#launching?.catch(noop);
    await Promise.all([...this.#handles].map((handle) => this.#closeBrowser(handle)));
  }

  async #acquireBrowser(): Promise<BrowserHandle> {
    const current = this.#current;
    if (current && !current.retired && !current.crashed) {
      if (current.renders < this.options.maxRendersPerBrowser) return current;
      this.#retire(current);
    }
    this.#launching ??= this.#launch().finally(() => {
      this.#launching = undefined;
    });
    return this.#launching;
  }

  async #launch(): Promise<BrowserHandle> {
    // A missing binary is the one launch failure no retry fixes: fail the job now, saying what to do.
    const check = await checkChromiumExecutable(this.options.executablePath);
    if (!check.ok) throw browserUnavailableError(chromiumMissingMessage(check.problem));
    this.#launches++;
    const marker = `${this.poolId}/${this.#launches}/`;
    let browser: Browser;
    try {
      browser = await launchBrowser(this.options, marker);
    } catch (error) {
      await killChromiumProcesses(marker);
      // Usually environmental (binary missing, out of memory): another attempt, maybe on
      // another worker, may well succeed.
      throw new RenderError("browser_launch_failed", "Chromium could not be started", {
        retryable: true,
        cause: error,
      });
    }
    await yieldToWorkerLoop(marker);
    const handle: BrowserHandle = { browser, marker, renders: 0, active: 0, retired: false, crashed: false };
    browser.on("disconnected", () => {
      if (handle.closing === undefined) handle.crashed = true;
      this.#retire(handle);
    });
    this.#handles.add(handle);
    if (this.#closed) {
      await this.#closeBrowser(handle);
      throw poolClosedError();
    }
    this.#current = handle;
    return handle;
  }

  #renderOn<T>(handle: BrowserHandle, task: PageTask<T>): { result: Promise<T>; cleanedUp: Promise<void> } {
    const { renderTimeoutMs, launchTimeoutMs } = this.options;
    // Set by a deadline, an abort or a page crash; wins over whatever error Playwright
    // reports once we have pulled the context from under it.
    let failure: unknown;
    let interrupt!: (reason: unknown) => void;
    const interrupted = new Promise<never>((_, reject) => {
      interrupt = reject;
    });
    interrupted.catch(noop);
    const fail = (reason: unknown) => {
      failure ??= reason;
      interrupt(failure);
    };
    let deadline: NodeJS.Timeout | undefined;
    const arm = (ms: number, onExpiry: () => void) => {
      clearTimeout(deadline);
      deadline = setTimeout(onExpiry, ms);
    };
    const onAbort = () => fail(abortReason(task.signal));
    task.signal.addEventListener("abort", onAbort, { once: true });
    if (task.signal.aborted) onAbort();
    // Opening a page is the browser's work, not the document's: when it stalls, the browser
    // is unwell, so it goes and the attempt may be retried.
    arm(launchTimeoutMs, () => {
      void this.#killBrowser(handle);
      fail(browserUnresponsiveError(launchTimeoutMs));
    });
    const warm = task.tenant === undefined ? undefined : this.#warm.take(handle.browser, task.tenant);
    if (warm) this.#pagesReused++;
    const jobsOnPage = (warm?.jobs ?? 0) + 1;
    const opening = warm
      ? warm.cleared.then((cleared) => {
          if (cleared) return warm.locked;
          closePage(warm);
          return this.#spare.take(handle.browser);
        })
      : this.#spare.take(handle.browser);
    const onCrash = () => fail(pageCrashedError());
    const result = (async () => {
      const { page, blockedRequests } = await Promise.race([opening, interrupted]);
      page.on("crash", onCrash);
      task.onPageReady?.();
      arm(renderTimeoutMs, () => {
        // Retire the browser too, in case the runaway renderer left anything behind.
        this.#retire(handle);
        fail(renderTimeoutError(renderTimeoutMs));
      });
      return await Promise.race([task.run(page, blockedRequests), interrupted]);
    })()
      .catch((error: unknown) => {
        throw (
          failure ??
          classifyRenderFailure(
            {
              crashed: handle.crashed,
              closing: handle.closing !== undefined,
              connected: handle.browser.isConnected(),
            },
            error,
          )
        );
      })
      .finally(() => {
        clearTimeout(deadline);
        task.signal.removeEventListener("abort", onAbort);
      });
    const cleanedUp = result
      .then(
        () => true,
        () => false,
      )
      .then(async (succeeded) => {
        const locked = await opening.catch(noop);
        locked?.page.off("crash", onCrash);
        // Only a page whose job ended well is kept: after a timeout, crash or abort it goes.
        if (
          succeeded &&
          locked &&
          task.tenant !== undefined &&
          this.#usable(handle) &&
          this.#warm.keep(handle.browser, task.tenant, locked, jobsOnPage)
        ) {
          this.#spare.prepare(handle.browser);
          return;
        }
        const closed = opening.then(({ context }) => context.close(), noop);
        // A context that does not close means a browser that no longer answers.
        if (!(await settlesWithinGrace(closed))) await this.#killBrowser(handle);
        // The next job's page opens now, between jobs, rather than during this one's print.
        else if (this.#usable(handle)) this.#spare.prepare(handle.browser);
      });
    return { result, cleanedUp };
  }

  /** Still taking renders: neither retired nor crashed, and the pool is open. */
  #usable(handle: BrowserHandle): boolean {
    return !handle.retired && !handle.crashed && !this.#closed;
  }

  #retire(handle: BrowserHandle): void {
    handle.retired = true;
    if (this.#current === handle) this.#current = undefined;
    this.#spare.discard(handle.browser);
    this.#warm.discard(handle.browser);
    if (handle.active === 0) void this.#closeBrowser(handle);
  }

  #closeBrowser(handle: BrowserHandle): Promise<void> {
    handle.retired = true;
    if (this.#current === handle) this.#current = undefined;
    this.#spare.discard(handle.browser);
    this.#warm.discard(handle.browser);
    handle.closing ??= (async () => {
      if (!handle.crashed) await settlesWithinGrace(handle.browser.close());
      // Whatever outlived a close, a crash or a hang (helper processes included) goes now.
      await killChromiumProcesses(handle.marker);
      this.#handles.delete(handle);
    })();
    return handle.closing;
  }

  /** For a browser that stopped answering: treated as crashed, its processes killed outright. */
  async #killBrowser(handle: BrowserHandle): Promise<void> {
    handle.crashed = true;
    this.#retire(handle);
    await killChromiumProcesses(handle.marker);
    await this.#closeBrowser(handle);
  }
}

/** A pool that holds nothing until its first render. */
export const createBrowserPool = (options: ChromiumOptions = {}): BrowserPool => new BrowserPool(options);
