import { chromiumDefaults } from "./chromium-defaults.ts";

/** Options of the Chromium-backed renderers (document.pdf), shared by one browser pool per process. */
export interface ChromiumOptions {
  /** Chromium binary to launch. Default: `/usr/bin/chromium` (Debian's `chromium` package). */
  executablePath?: string;
  /** Renders running at once in this process, each in its own browser context. Default: 2. */
  concurrency?: number;
  /**
   * Time one job may spend on layout + print before it fails with `render_timeout` and its
   * context is killed. Excludes waiting for a slot and launching the browser. Default: 30000.
   */
  renderTimeoutMs?: number;
  /** The browser is replaced after this many renders, bounding slow leaks. Default: 200. */
  maxRendersPerBrowser?: number;
  /**
   * Time the browser may take to start, or to open a fresh page for a job, before the attempt
   * fails retryably (a browser that cannot open a page is killed and replaced). Default: 30000.
   */
  launchTimeoutMs?: number;
  /**
   * Chromium's own sandbox. Default: on, except when the process runs as root, where
   * Chromium refuses to start sandboxed (containers); isolation then rests on the network
   * lockdown, JavaScript being off and the container itself.
   */
  sandbox?: boolean;
  /**
   * Idle pages kept for the company whose job just finished on them, so its next job skips
   * opening a context (see warm-pages.ts). Another company's job always gets a fresh context.
   * Default: `concurrency`; 0 opens a fresh context for every job.
   */
  warmPages?: number;
  /**
   * Open the next job's page ahead of need, between jobs, so a job that finds no warm page starts
   * laying out at once. Costs one idle context (a renderer process) per browser. Default: true.
   */
  sparePage?: boolean;
}

export type ResolvedChromiumOptions = Required<ChromiumOptions>;

export const resolveChromiumOptions = (options: ChromiumOptions = {}): ResolvedChromiumOptions => {
  const resolved = {
    executablePath: options.executablePath ?? chromiumDefaults.executablePath,
    concurrency: options.concurrency ?? chromiumDefaults.concurrency,
    renderTimeoutMs: options.renderTimeoutMs ?? chromiumDefaults.renderTimeoutMs,
    maxRendersPerBrowser: options.maxRendersPerBrowser ?? chromiumDefaults.maxRendersPerBrowser,
    launchTimeoutMs: options.launchTimeoutMs ?? chromiumDefaults.launchTimeoutMs,
    sandbox: options.sandbox ?? process.getuid?.() !== 0,
    warmPages: options.warmPages ?? options.concurrency ?? chromiumDefaults.concurrency,
    sparePage: options.sparePage ?? true,
  };
  if (!Number.isInteger(resolved.warmPages) || resolved.warmPages < 0) {
    throw new RangeError(`chromium.warmPages must be a non-negative integer, got ${resolved.warmPages}`);
  }
  for (const key of ["concurrency", "renderTimeoutMs", "maxRendersPerBrowser", "launchTimeoutMs"] as const) {
    if (!Number.isInteger(resolved[key]) || resolved[key] < 1) {
      throw new RangeError(`chromium.${key} must be a positive integer, got ${resolved[key]}`);
    }
  }
  return resolved;
};
