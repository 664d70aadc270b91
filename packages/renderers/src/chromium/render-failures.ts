import { RenderError } from "@kiln/core";

/** What the pool knew about the browser when a render failed without a known reason. */
export interface BrowserState {
  /** Disconnected without the pool asking: crashed or killed. */
  crashed: boolean;
  /** The pool was closing it (retirement or pool shutdown). */
  closing: boolean;
  connected: boolean;
}

export const renderTimeoutError = (ms: number): RenderError =>
  new RenderError("render_timeout", `the document did not lay out and print within ${ms} ms`, {
    // The same document would time out again; retrying would only tie up a browser for
    // another full timeout per attempt.
    retryable: false,
  });

/** The browser binary is missing: every attempt, on this worker, would fail the same way. */
export const browserUnavailableError = (message: string): RenderError =>
  new RenderError("browser_unavailable", message, { retryable: false });

export const browserUnresponsiveError = (ms: number): RenderError =>
  new RenderError("browser_unresponsive", `the browser did not open a page within ${ms} ms`, {
    retryable: true,
  });

export const pageCrashedError = (): RenderError =>
  new RenderError("page_crashed", "the page's renderer process crashed", { retryable: true });

export const poolClosedError = (cause?: unknown): RenderError =>
  new RenderError("browser_pool_closed", "the browser pool closed", { retryable: true, cause });

/**
 * What Chromium's print step answers for a document it can never print: "Printing failed"
 * (a layout the PDF backend rejects, such as a page too large) or "invalid print
 * parameters: …" (margins that leave no content area). The same document fails the same way
 * on every browser, so retrying would only spend attempts.
 */
const unprintableMessages = [
  "Page.printToPDF): Printing failed",
  "Page.printToPDF): invalid print parameters",
];

export const unprintableDocumentError = (cause: unknown): RenderError => {
  const message = cause instanceof Error ? cause.message : String(cause);
  const reason = message
    .slice(message.indexOf("Page.printToPDF): ") + "Page.printToPDF): ".length)
    .split("\n")[0];
  return new RenderError("pdf_print_failed", `Chromium could not print this document: ${reason}`, {
    retryable: false,
    cause,
  });
};

const isUnprintable = (error: unknown): boolean =>
  error instanceof Error && unprintableMessages.some((text) => error.message.includes(text));

/** Names an error Playwright raised once the page or browser went away under a render. */
export const classifyRenderFailure = (browser: BrowserState, error: unknown): unknown => {
  if (error instanceof RenderError) return error;
  // Checked first: the browser is fine, the document is not.
  if (browser.connected && !browser.crashed && !browser.closing && isUnprintable(error)) {
    return unprintableDocumentError(error);
  }
  if (browser.closing && !browser.crashed) return poolClosedError(error);
  if (browser.crashed || !browser.connected) {
    return new RenderError("browser_crashed", "the browser crashed during the render", {
      retryable: true,
      cause: error,
    });
  }
  // Unknown: let the worker retry, bounded by the job's maxAttempts.
  return new RenderError("render_failed", error instanceof Error ? error.message : String(error), {
    retryable: true,
    cause: error,
  });
};
