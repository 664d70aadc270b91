export { BlockedRequestLog } from "./blocked-requests.ts";
export { BrowserPool, createBrowserPool, type PageTask } from "./browser-pool.ts";
export { type ChromiumCheck, checkChromiumExecutable, chromiumMissingMessage } from "./check-chromium.ts";
export { type ChromiumOptions, resolveChromiumOptions } from "./chromium-options.ts";
export { browserMarkerVariable, type ChromiumProcess, findChromiumProcesses } from "./chromium-processes.ts";
export { injectDocumentHead, lockedDownCsp } from "./content-security-policy.ts";
export { loadChromiumDriver, networkLockdownArgs } from "./launch-browser.ts";
