import type { Context, MiddlewareHandler } from "hono";
import { matchedRoutes } from "hono/route";
import type { ApiMetrics } from "../ops/metrics.ts";
import type { AppEnv } from "../services.ts";

/** `app.use()` middleware registers under this method; endpoints under GET, POST… */
const middlewareMethod = "ALL";

/**
 * The route pattern that answered (`/api/companies/:companyId/content-jobs/:jobId`), never the raw
 * path: ids in a label would create a series per job. When a middleware answered (auth, body
 * limit), it is the endpoint the request was for; when nothing matched, `unmatched`.
 */
export const routePatternOf = (c: Context): string => {
  const routes = matchedRoutes(c);
  const answered = routes[c.req.routeIndex];
  if (answered && answered.method !== middlewareMethod) return answered.path;
  return routes.findLast((route) => route.method !== middlewareMethod)?.path ?? "unmatched";
};

/** Counts and times every request by method, route pattern and status. */
export const httpMetrics =
  (metrics: Pick<ApiMetrics, "observeRequest">): MiddlewareHandler<AppEnv> =>
  async (c, next) => {
    const started = performance.now();
    try {
      await next();
    } finally {
      metrics.observeRequest({
        method: c.req.method,
        route: routePatternOf(c),
        status: c.res.status,
        seconds: (performance.now() - started) / 1000,
      });
    }
  };
