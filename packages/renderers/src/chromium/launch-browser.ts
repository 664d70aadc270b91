import type { Browser } from "playwright-core";
import { quietChromiumArgs } from "./chromium-defaults.ts";
import type { ResolvedChromiumOptions } from "./chromium-options.ts";
import { browserMarkerVariable } from "./chromium-processes.ts";

/**
 * Network lockdown, layer (b): even if request interception missed a request type (link
 * prefetch does bypass it), every connection goes to a proxy that does not exist — including
 * loopback, which Chromium would otherwise bypass the proxy for — and no hostname resolves.
 */
export const networkLockdownArgs = [
  "--proxy-server=127.0.0.1:9",
  "--proxy-bypass-list=<-loopback>",
  "--host-resolver-rules=MAP * ~NOTFOUND",
  "--disable-quic",
  "--dns-prefetch-disable",
  "--no-pings",
];

/** Variables Chromium needs to start and find fonts; nothing else of the worker's environment (no secrets). */
const passedEnvironment = [
  "PATH",
  "HOME",
  "TMPDIR",
  "LANG",
  "LC_ALL",
  "TZ",
  "FONTCONFIG_PATH",
  "FONTCONFIG_FILE",
];

const browserEnvironment = (marker: string): Record<string, string> => {
  const env: Record<string, string> = { [browserMarkerVariable]: marker };
  for (const name of passedEnvironment) {
    const value = process.env[name];
    if (value !== undefined) env[name] = value;
  }
  return env;
};

/**
 * Loads Playwright's driver. On first launch at the latest — processes that only need the job
 * types' schemas (the API) never pay for it — or earlier, when a worker warms up: loading it takes
 * its event loop most of a second, which must not happen while it holds other jobs' locks.
 */
export const loadChromiumDriver = () => import("playwright-core");

/** Launches one locked-down headless browser tagged with `marker` (see chromium-processes.ts). */
export const launchBrowser = async (options: ResolvedChromiumOptions, marker: string): Promise<Browser> => {
  const { chromium } = await loadChromiumDriver();
  return chromium.launch({
    executablePath: options.executablePath,
    headless: true,
    // Playwright adds --no-sandbox unless this is true.
    chromiumSandbox: options.sandbox,
    args: [...quietChromiumArgs, ...networkLockdownArgs],
    env: browserEnvironment(marker),
    timeout: options.launchTimeoutMs,
    // The worker owns signal handling and closes the pool itself during graceful shutdown.
    handleSIGINT: false,
    handleSIGTERM: false,
    handleSIGHUP: false,
  });
};
