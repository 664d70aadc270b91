import { createRoute, type OpenAPIHono, z } from "@hono/zod-openapi";
import type { AppEnv } from "../services.ts";

const healthz = createRoute({
  method: "get",
  path: "/healthz",
  tags: ["ops"],
  summary: "Liveness: the process answers",
  responses: {
    200: {
      description: "Alive",
      content: { "application/json": { schema: z.object({ status: z.string() }) } },
    },
  },
});

const readinessSchema = z
  .object({
    status: z.enum(["ready", "unavailable"]),
    checks: z.record(z.string(), z.enum(["up", "down"])),
    detail: z.string().optional(),
  })
  .openapi("Readiness");

const readyz = createRoute({
  method: "get",
  path: "/readyz",
  tags: ["ops"],
  summary: "Readiness: PostgreSQL and Redis answer",
  responses: {
    200: { description: "Ready", content: { "application/json": { schema: readinessSchema } } },
    503: {
      description: "Not ready; names what is down",
      content: { "application/json": { schema: readinessSchema } },
    },
  },
});

export const registerHealth = (app: OpenAPIHono<AppEnv>) => {
  app.openapi(healthz, (c) => c.json({ status: "ok" }, 200));
  app.openapi(readyz, async (c) => {
    const results = await c.var.services.checkDependencies();
    const down = Object.entries(results)
      .filter(([, up]) => !up)
      .map(([name]) => name);
    const checks = Object.fromEntries(
      Object.entries(results).map(([name, up]) => [name, up ? "up" : "down"]),
    ) as Record<string, "up" | "down">;
    if (down.length === 0) return c.json({ status: "ready" as const, checks }, 200);
    return c.json(
      { status: "unavailable" as const, checks, detail: `${down.join(" and ")} unavailable` },
      503,
    );
  });
};
