import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import type { Logger } from "@kiln/core";
import { prometheusContentType, type Registry } from "@kiln/telemetry";

export interface MetricsServerOptions {
  registry: Registry;
  port: number;
  /** Interface to listen on. Default `0.0.0.0`. */
  host?: string;
  logger: Logger;
}

export interface MetricsServer {
  /** The port listened on (useful when `port` was 0). */
  port: number;
  close(): Promise<void>;
}

/**
 * A bare HTTP server answering `GET /metrics` for Prometheus, and `GET /healthz` for a liveness
 * probe (renders run in threads, so a worker whose loop answers is alive); a worker has no other
 * HTTP to speak.
 */
export const startMetricsServer = async ({
  registry,
  port,
  host = "0.0.0.0",
  logger,
}: MetricsServerOptions): Promise<MetricsServer> => {
  const server = createServer((request, response) => {
    const path = (request.url ?? "/").split("?")[0];
    const read = request.method === "GET" || request.method === "HEAD";
    if (path === "/healthz" && read) {
      response.writeHead(200, { "content-type": "text/plain", "cache-control": "no-store" });
      response.end(request.method === "HEAD" ? undefined : "ok\n");
      return;
    }
    if (path !== "/metrics" || !read) {
      response.writeHead(404, { "content-type": "text/plain" }).end("not found\n");
      return;
    }
    registry.metrics().then(
      (text) => {
        response.writeHead(200, { "content-type": prometheusContentType, "cache-control": "no-store" });
        response.end(request.method === "HEAD" ? undefined : text);
      },
      (error: unknown) => {
        logger.warn({ err: error }, "metrics collection failed");
        response.writeHead(500, { "content-type": "text/plain" }).end("metrics collection failed\n");
      },
    );
  });
  // A port already taken stops the worker at boot, like a bad setting would.
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const listening = (server.address() as AddressInfo).port;
  logger.info({ port: listening, host }, "worker metrics listening");

  return {
    port: listening,
    async close() {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
};
