/**
 * Chromium's defaults in one place: the browser pool, the worker's settings and the suites that
 * open pages in a browser read them here. A module of its own (`@kiln/renderers/chromium-defaults`)
 * that imports nothing, so reading a default loads no renderer.
 */
export const chromiumDefaults = {
  /** Debian's `chromium` package (`KILN_CHROMIUM_PATH` points elsewhere). */
  executablePath: "/usr/bin/chromium",
  /** Renders at once per process. */
  concurrency: 2,
  /** Layout + print of one document, in ms. */
  renderTimeoutMs: 30_000,
  /** Renders before the browser is replaced. */
  maxRendersPerBrowser: 200,
  /** Starting the browser, or opening a page, in ms. */
  launchTimeoutMs: 30_000,
} as const;

/** Quiet, deterministic headless Chromium: no phoning home, no first-run work, no GPU. */
export const quietChromiumArgs: readonly string[] = [
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--disable-domain-reliability",
  "--disable-client-side-phishing-detection",
  "--disable-crash-reporter",
  "--no-first-run",
  "--no-default-browser-check",
  "--font-render-hinting=none",
];
