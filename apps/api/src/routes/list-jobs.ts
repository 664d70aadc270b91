import { createRoute, type OpenAPIHono } from "@hono/zod-openapi";
import { jobPageSchema, listJobsQuerySchema } from "@kiln/core";
import { pick } from "../errors/error-responses.ts";
import { requireCompany } from "../middleware/auth.ts";
import type { AppEnv } from "../services.ts";
import { companyParams } from "./params.ts";

const route = createRoute({
  method: "get",
  path: "/api/companies/{companyId}/content-jobs",
  tags: ["jobs"],
  summary: "List jobs, newest first",
  middleware: [requireCompany()] as const,
  request: { params: companyParams, query: listJobsQuerySchema },
  responses: {
    200: {
      description: "A page of jobs",
      content: {
        "application/json": {
          schema: jobPageSchema,
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
