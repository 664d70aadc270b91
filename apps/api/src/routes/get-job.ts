import { createRoute, type OpenAPIHono } from "@hono/zod-openapi";
import { jobSchema } from "@kiln/core";
import { ApiError } from "../errors/api-error.ts";
import { pick } from "../errors/error-responses.ts";
import { requireCompany } from "../middleware/auth.ts";
import { rateLimit } from "../middleware/rate-limit.ts";
import type { AppEnv } from "../services.ts";
import { isUuid, jobParams } from "./params.ts";

const route = createRoute({
  method: "get",
  path: "/api/companies/{companyId}/content-jobs/{jobId}",
  tags: ["jobs"],
  summary: "Get one job",
  middleware: [requireCompany(), rateLimit("read")] as const,
  request: { params: jobParams },
  responses: {
    200: { description: "The job", content: { "application/json": { schema: jobSchema } } },
    ...pick(401, 403, 404, 429, 503),
  },
});

export const registerGetJob = (app: OpenAPIHono<AppEnv>) =>
  app.openapi(route, async (c) => {
    const { companyId, jobId } = c.req.valid("param");
    const job = isUuid(jobId) ? await c.var.services.jobs.getJob(companyId, jobId) : null;
    if (!job) throw new ApiError("not_found", "No such job");
    return c.json(job, 200);
  });
