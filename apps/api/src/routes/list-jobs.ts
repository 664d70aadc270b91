import { createRoute, type OpenAPIHono, z } from "@hono/zod-openapi";
import { jobSchema, jobStatusSchema } from "@kiln/core";
import { pick } from "../errors/error-responses.ts";
import { requireCompany } from "../middleware/auth.ts";
import type { AppEnv } from "../services.ts";
import { companyParams } from "./params.ts";

const listQuerySchema = z.object({
  status: jobStatusSchema.optional(),
  jobType: z.string().trim().min(1).max(100).optional(),
  sourceTaskId: z.string().trim().min(1).max(200).optional(),
  limit: z.coerce.number().int().min(1).max(100).default(50),
  cursor: z.string().max(500).optional().openapi({ description: "`nextCursor` of the previous page" }),
});

const route = createRoute({
  method: "get",
  path: "/api/companies/{companyId}/content-jobs",
  tags: ["jobs"],
  summary: "List jobs, newest first",
  middleware: [requireCompany()] as const,
  request: { params: companyParams, query: listQuerySchema },
  responses: {
    200: {
      description: "A page of jobs",
      content: {
        "application/json": {
          schema: z
            .object({ items: z.array(jobSchema), nextCursor: z.string().nullable() })
            .openapi("JobPage"),
        },
      },
    },
    ...pick(400, 401, 403, 503),
  },
});

export const registerListJobs = (app: OpenAPIHono<AppEnv>) =>
  app.openapi(route, async (c) => {
    const page = await c.var.services.jobs.listJobs(c.req.valid("param").companyId, c.req.valid("query"));
    return c.json(page, 200);
  });
