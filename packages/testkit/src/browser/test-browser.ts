import { type Browser, chromium } from "playwright-core";

/** Debian's chromium (or `KILN_CHROMIUM_PATH`); the suite never downloads a browser. */
export const chromiumPath = process.env.KILN_CHROMIUM_PATH ?? "/usr/bin/chromium";

/** A headless browser for the suite's page tests, with the flags this machine needs. */
export const launchBrowser = (): Promise<Browser> =>
  chromium.launch({
    executablePath: chromiumPath,
    args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
  });
