import type { Server } from "node:http";
import { serve } from "@hono/node-server";
import { type Browser, chromium } from "playwright-core";

/** Debian's chromium (or `KILN_CHROMIUM_PATH`); the suite never downloads a browser. */
export const chromiumPath = process.env.KILN_CHROMIUM_PATH ?? "/usr/bin/chromium";

/** A headless browser for the suite's page tests, with the flags this machine needs. */
export const launchBrowser = (): Promise<Browser> =>
  chromium.launch({
    executablePath: chromiumPath,
    args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
  });

/** A server on a real loopback port for an in-process app (`app.fetch`), for a browser to load. */
export interface ServedApp {
  /** `http://127.0.0.1:<port>` */
  baseUrl: string;
  /** Closes the server and every connection still open to it. */
  close(): Promise<void>;
}

/** Serves a fetch handler (a Hono app's `fetch`) on 127.0.0.1 and a free port. */
export const serveFetch = async (
  fetch: (request: Request) => Response | Promise<Response>,
): Promise<ServedApp> => {
  const server = await new Promise<Server>((resolve) => {
    const started = serve({ fetch, port: 0, hostname: "127.0.0.1" }, () => resolve(started as Server));
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
