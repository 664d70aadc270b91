import { createRoute, type OpenAPIHono, z } from "@hono/zod-openapi";
import type { JobQueues } from "@kiln/queue";
import { pick } from "../errors/error-responses.ts";
import { requireAdmin } from "../middleware/auth.ts";
import type { AppEnv } from "../services.ts";

/** How many waiting entries are read per job type to find the oldest; beyond it the age is a lower bound. */
const oldestScanLimit = 500;

const jobTypeHealthSchema = z.object({
  jobType: z.string(),
  waiting: z
    .number()
    .int()
    .describe(
      "Jobs waiting to run: in the companies' lines (see `lined`) and ready in BullMQ (waiting, prioritized)",
    ),
  lined: z
    .number()
    .int()
    .describe("Of `waiting`, the jobs still in their companies' lines (fair scheduling)"),
  active: z.number().int(),
  delayed: z.number().int().describe("Waiting for a retry's backoff"),
  failed: z.number().int(),
  oldestWaitingMs: z
    .number()
    .int()
    .nullable()
    .describe(
      "Age of the oldest job ready in BullMQ, null when none (jobs still in their lines are not aged)",
    ),
  workers: z.number().int().nullable().describe("Worker connections seen on the queue, null if unknown"),
});
export type JobTypeHealth = z.infer<typeof jobTypeHealthSchema>;

const queueHealthSchema = z
  .object({ checkedAt: z.string(), jobTypes: z.array(jobTypeHealthSchema), bullBoard: z.string() })
  .meta({ id: "QueueHealth" });
export type QueueHealth = z.infer<typeof queueHealthSchema>;

const route = createRoute({
  method: "get",
  path: "/api/admin/queue-health",
  tags: ["admin"],
  summary: "Queue depth, oldest waiting age and workers per job type (admin)",
  middleware: [requireAdmin] as const,
  responses: {
    200: { description: "Queue health", content: { "application/json": { schema: queueHealthSchema } } },
    ...pick(401, 503),
  },
});

const readJobTypeHealth = async (queues: JobQueues, jobType: string, now: number): Promise<JobTypeHealth> => {
  const queue = queues.queue(jobType);
  const [counts, lines, waitingJobs, workers] = await Promise.all([
    queue.getJobCounts("waiting", "prioritized", "active", "delayed", "failed"),
    queues.lines.lineLengths(jobType),
    queue.getJobs(["waiting", "prioritized"], 0, oldestScanLimit - 1),
    // CLIENT LIST may be refused by a managed Redis: the count is then unknown, not an error.
    queue.getWorkersCount().catch(() => null),
  ]);
  const oldest = Math.min(...waitingJobs.map((job) => job.timestamp));
  const lined = [...lines.values()].reduce((sum, count) => sum + count, 0);
  return {
    jobType,
    waiting: (counts.waiting ?? 0) + (counts.prioritized ?? 0) + lined,
    lined,
    active: counts.active ?? 0,
    delayed: counts.delayed ?? 0,
    failed: counts.failed ?? 0,
    oldestWaitingMs: Number.isFinite(oldest) ? Math.max(0, now - oldest) : null,
    workers,
  };
};

/** `GET /api/admin/queue-health`: what the dashboard's queue panel shows. */
export const registerQueueHealth = (app: OpenAPIHono<AppEnv>) =>
  app.openapi(route, async (c) => {
    const { queues, renderers } = c.var.services;
    const now = Date.now();
    const jobTypes = await Promise.all(
      [...renderers.keys()].map((jobType) => readJobTypeHealth(queues, jobType, now)),
    );
    return c.json({ checkedAt: new Date(now).toISOString(), jobTypes, bullBoard: "/admin/queues" }, 200);
  });
