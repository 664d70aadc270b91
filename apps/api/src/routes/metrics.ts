import { createRoute, type OpenAPIHono, z } from "@hono/zod-openapi";
import { pick } from "../errors/error-responses.ts";
import { requireMetricsToken } from "../middleware/ops-auth.ts";
import type { AppEnv } from "../services.ts";

const route = createRoute({
  method: "get",
  path: "/metrics",
  tags: ["ops"],
  summary: "Prometheus metrics: HTTP, queue depth per state, jobs per status, SSE connections",
  description:
    "With `KILN_METRICS_TOKEN` set: `Authorization: Bearer <that token>`. Without it: open in development, " +
    "closed in production unless `KILN_METRICS_PUBLIC=true`. Job counts per status are refreshed at most " +
    "every `KILN_METRICS_JOB_COUNTS_TTL_MS`.",
  middleware: [requireMetricsToken] as const,
  // Either no credentials or the metrics token, depending on the deployment.
  security: [{}, { bearer: [] }],
  responses: {
    200: {
      description: "Prometheus text exposition format 0.0.4",
      content: { "text/plain": { schema: z.string() } },
    },
    ...pick(401),
  },
});

export const registerMetrics = (app: OpenAPIHono<AppEnv>) =>
  app.openapi(route, async (c) => {
    const { metrics } = c.var.services;
    return c.body(await metrics.render(), 200, {
      "content-type": metrics.contentType,
      "cache-control": "no-store",
    });
  });
