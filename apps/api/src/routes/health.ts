import { createRoute, type OpenAPIHono, z } from "@hono/zod-openapi";
import { withTimeout } from "@kiln/queue";
import type { AppEnv, Services } from "../services.ts";

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
    pausedJobTypes: z
      .array(z.string())
      .optional()
      .openapi({ description: "Job types whose queue is paused: their jobs are accepted but not run" }),
  })
  .openapi("Readiness");

const readyz = createRoute({
  method: "get",
  path: "/readyz",
  tags: ["ops"],
  summary: "Readiness: PostgreSQL and Redis answer, and no job type's queue is paused",
  responses: {
    200: { description: "Ready", content: { "application/json": { schema: readinessSchema } } },
    503: {
      description: "Not ready; names what is down",
      content: { "application/json": { schema: readinessSchema } },
    },
  },
});

/**
 * Job types whose BullMQ queue is paused (from Bull Board or BullMQ's API): the API still answers
 * 202 to their submits, but no worker runs them, so an instance that says "ready" would hide it.
 */
const pausedJobTypes = async ({ queues, renderers }: Pick<Services, "queues" | "renderers">) => {
  const jobTypes = [...renderers.keys()];
  const paused = await withTimeout(
    Promise.all(jobTypes.map((jobType) => queues.queue(jobType).isPaused())),
    3_000,
    "queue pause check",
  );
  return jobTypes.filter((_, index) => paused[index]);
};

export const registerHealth = (app: OpenAPIHono<AppEnv>) => {
  app.openapi(healthz, (c) => c.json({ status: "ok" }, 200));
  app.openapi(readyz, async (c) => {
    const results = await c.var.services.checkDependencies();
    let paused: string[] = [];
    if (results.redis) {
      try {
        paused = await pausedJobTypes(c.var.services);
      } catch {
        // Redis answered a ping but not this: it is not healthy enough to run jobs either.
        results.redis = false;
      }
    }
    const down = Object.entries(results)
      .filter(([, up]) => !up)
      .map(([name]) => name);
    const checks = Object.fromEntries(
      Object.entries(results).map(([name, up]) => [name, up ? "up" : "down"]),
    ) as Record<string, "up" | "down">;
    if (down.length === 0 && paused.length === 0) return c.json({ status: "ready" as const, checks }, 200);
    const problems = [
      ...(down.length > 0 ? [`${down.join(" and ")} unavailable`] : []),
      ...(paused.length > 0
        ? [`queue paused for ${paused.join(", ")}: its jobs are accepted but not run`]
        : []),
    ];
    return c.json(
      {
        status: "unavailable" as const,
        checks,
        detail: problems.join("; "),
        ...(paused.length > 0 && { pausedJobTypes: paused }),
      },
      503,
    );
  });
};
