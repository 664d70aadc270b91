import type { Server } from "node:http";
import { serve } from "@hono/node-server";
import { type Browser, chromium } from "playwright-core";
import type { TestHarness } from "./test-harness.ts";

/** Debian's chromium (or `KILN_CHROMIUM_PATH`); the suite never downloads a browser. */
export const chromiumPath = process.env.KILN_CHROMIUM_PATH ?? "/usr/bin/chromium";

/** A headless browser for the suite's page tests, with the flags this machine needs. */
export const launchBrowser = (): Promise<Browser> =>
  chromium.launch({
    executablePath: chromiumPath,
    args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
  });

/** The harness's in-process app on a real loopback port, for a browser to load. */
export const serveHarness = async (h: TestHarness) => {
  const server = await new Promise<Server>((resolve) => {
    const started = serve({ fetch: h.app.fetch, port: 0, hostname: "127.0.0.1" }, () =>
      resolve(started as Server),
    );
  });
  const address = server.address();
  if (!address || typeof address === "string") throw new Error("no port");
  return {
    baseUrl: `http://127.0.0.1:${address.port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
};
