import { createServer } from "node:http";
import type { AddressInfo } from "node:net";

/** An HTTP server on 127.0.0.1 that records every connection and request it gets. */
export interface TrapServer {
  port: number;
  /** `http://127.0.0.1:<port>` */
  origin: string;
  /** Request paths, in arrival order. */
  requests: string[];
  /** TCP connections accepted (a preconnect opens one without sending a request). */
  connections: number;
  /** Forgets what was recorded so far (between tests). */
  reset(): void;
  close(): Promise<void>;
}

/**
 * Starts a trap for network-isolation tests: anything a renderer fetches lands here.
 * `/redirect/<n>` answers with a redirect chain of n hops ending at `/redirect/0`.
 */
export const startTrapServer = async (): Promise<TrapServer> => {
  const requests: string[] = [];
  const server = createServer((request, response) => {
    const url = request.url ?? "";
    requests.push(url);
    const hops = /^\/redirect\/(\d+)/.exec(url)?.[1];
    if (hops !== undefined && Number(hops) > 0) {
      response.writeHead(302, { location: `/redirect/${Number(hops) - 1}` }).end();
      return;
    }
    response.writeHead(200, { "content-type": "text/plain" }).end("trapped");
  });
  const trap = { requests, connections: 0 };
  server.on("connection", () => {
    trap.connections++;
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    port,
    origin: `http://127.0.0.1:${port}`,
    requests,
    get connections() {
      return trap.connections;
    },
    reset() {
      requests.length = 0;
      trap.connections = 0;
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
};
