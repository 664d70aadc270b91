import { createRoute, type OpenAPIHono, z } from "@hono/zod-openapi";
import { jobPageSchema, jobSummaryPageSchema, listJobsQuerySchema } from "@kiln/core";
import { pick } from "../errors/error-responses.ts";
import { requireCompany } from "../middleware/auth.ts";
import { rateLimit } from "../middleware/rate-limit.ts";
import type { AppEnv } from "../services.ts";
import { companyParams } from "./params.ts";

const route = createRoute({
  method: "get",
  path: "/api/companies/{companyId}/content-jobs",
  tags: ["jobs"],
  summary: "List jobs, newest first",
  description:
    "Items are JobSummary: the Job without `input`, so a page stays small whatever was submitted. " +
    "`?include=input` lists whole Jobs instead; `GET …/content-jobs/{jobId}` always returns the whole Job.",
  middleware: [requireCompany(), rateLimit("read")] as const,
  request: { params: companyParams, query: listJobsQuerySchema },
  responses: {
    200: {
      description: "A page of job summaries (whole Jobs with `?include=input`)",
      content: {
        "application/json": {
          schema: z.union([jobSummaryPageSchema, jobPageSchema]),
        },
      },
    },
    ...pick(400, 401, 403, 429, 503),
  },
});

export const registerListJobs = (app: OpenAPIHono<AppEnv>) =>
  app.openapi(route, async (c) => {
    const page = await c.var.services.jobs.listJobs(c.req.valid("param").companyId, c.req.valid("query"));
    return c.json(page, 200);
  });
