import { randomUUID } from "node:crypto";
import type { MiddlewareHandler } from "hono";
import type { AppEnv, Services } from "../services.ts";

/** Puts the services on the context, gives each request an id, and logs it when it ends. */
export const requestContext =
  (services: Services): MiddlewareHandler<AppEnv> =>
  async (c, next) => {
    const requestId = c.req.header("x-request-id")?.slice(0, 100) || randomUUID();
    c.set("services", services);
    c.set("requestId", requestId);
    c.header("x-request-id", requestId);
    const started = performance.now();
    await next();
    // The path only: query strings may carry stream tokens, which never reach a log line.
    services.logger.debug(
      {
        requestId,
        method: c.req.method,
        path: c.req.path,
        status: c.res.status,
        ms: Math.round(performance.now() - started),
      },
      "request",
    );
  };
