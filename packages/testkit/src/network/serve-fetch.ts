import type { Server } from "node:http";
import { serve } from "@hono/node-server";

/** An in-process app (`app.fetch`) on a real loopback port, for a browser or a client over TCP. */
export interface ServedApp {
  /** `http://127.0.0.1:<port>` */
  baseUrl: string;
  /** Closes the server and every connection still open to it. */
  close(): Promise<void>;
}

/** Serves a fetch handler (a Hono app's `fetch`) on 127.0.0.1, on `port` or a free one. */
export const serveFetch = async (
  fetch: (request: Request) => Response | Promise<Response>,
  { port = 0 }: { port?: number } = {},
): Promise<ServedApp> => {
  const server = await new Promise<Server>((resolve, reject) => {
    const started = serve({ fetch, port, hostname: "127.0.0.1" }, () => resolve(started as Server));
    started.once("error", reject);
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
