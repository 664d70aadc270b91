import type { Browser, BrowserContext, Page } from "playwright-core";
import { BlockedRequestLog } from "./blocked-requests.ts";

export interface LockedDownPage {
  context: BrowserContext;
  page: Page;
  /** What the current job's document tried to load; a new log for each job on the page. */
  blockedRequests: BlockedRequestLog;
}

/**
 * URLs in the messages Chromium logs for refused loads: file:// references, and CSP refusals,
 * whose audit issue names only the origin for plugins and frames while the log has the URL.
 */
const refusedUrlPatterns = [
  /^Not allowed to load local resource: (\S+)/,
  /'([a-z][a-z0-9+.-]*:[^']+)' violates/i,
];

/**
 * A fresh context and page for one job: JavaScript off, service workers blocked, and
 * network lockdown layer (a) — every request is intercepted and refused (navigations get an
 * empty 204 so the document stays put instead of turning into an error page). Requests the
 * CSP or Chromium refuse before interception are collected too, from the DevTools audit and
 * log domains, so `blockedRequests` lists everything the page tried.
 */
export const openLockedDownPage = async (browser: Browser): Promise<LockedDownPage> => {
  const context = await browser.newContext({
    javaScriptEnabled: false,
    serviceWorkers: "block",
    acceptDownloads: false,
    bypassCSP: false,
  });
  try {
    let blockedRequests = new BlockedRequestLog();
    await context.route("**/*", (route) => {
      const request = route.request();
      if (request.url().startsWith("data:")) return route.fallback();
      blockedRequests.record(request.url());
      return request.isNavigationRequest() ? route.fulfill({ status: 204 }) : route.abort("blockedbyclient");
    });
    const page = await context.newPage();
    page.on("requestfailed", (request) => blockedRequests.record(request.url()));
    const devtools = await context.newCDPSession(page);
    devtools.on("Audits.issueAdded", ({ issue }) => {
      const url = issue.details.contentSecurityPolicyIssueDetails?.blockedURL;
      if (url) blockedRequests.record(url);
    });
    devtools.on("Log.entryAdded", ({ entry }) => {
      for (const pattern of refusedUrlPatterns) {
        const url = pattern.exec(entry.text)?.[1];
        if (url) blockedRequests.record(url);
      }
    });
    await Promise.all([devtools.send("Audits.enable"), devtools.send("Log.enable")]);
    return {
      context,
      page,
      get blockedRequests() {
        return blockedRequests;
      },
      set blockedRequests(log) {
        blockedRequests = log;
      },
    };
  } catch (error) {
    await context.close().catch(() => {});
    throw error;
  }
};

/**
 * Readies a page for its tenant's next job: a navigation to `about:blank` replaces the document
 * (markup, `<base>`, CSP meta policies, a pending meta refresh all go with it), then a new log.
 */
export const resetLockedDownPage = async (locked: LockedDownPage): Promise<void> => {
  // Committed is enough: from then on the old document is gone; its load event adds nothing.
  await locked.page.goto("about:blank", { waitUntil: "commit", timeout: 5_000 });
  locked.blockedRequests = new BlockedRequestLog();
};
