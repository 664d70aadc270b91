import { createRoute, type OpenAPIHono } from "@hono/zod-openapi";
import { jobSchema } from "@kiln/core";
import { ApiError } from "../errors/api-error.ts";
import { pick } from "../errors/error-responses.ts";
import { requireCompany } from "../middleware/auth.ts";
import { rateLimit } from "../middleware/rate-limit.ts";
import type { AppEnv } from "../services.ts";
import { isUuid, jobParams } from "./params.ts";

const route = createRoute({
  method: "post",
  path: "/api/companies/{companyId}/content-jobs/{jobId}/retry",
  tags: ["jobs"],
  summary: "Queue a failed or cancelled job again",
  middleware: [requireCompany(), rateLimit("submit")] as const,
  request: { params: jobParams },
  responses: {
    202: { description: "Queued again", content: { "application/json": { schema: jobSchema } } },
    ...pick(401, 403, 404, 409, 429, 503),
  },
});

export const registerRetryJob = (app: OpenAPIHono<AppEnv>) =>
  app.openapi(route, async (c) => {
    const { companyId, jobId } = c.req.valid("param");
    if (!isUuid(jobId)) throw new ApiError("not_found", "No such job");
    return c.json(await c.var.services.engine.retry(companyId, jobId), 202);
  });
