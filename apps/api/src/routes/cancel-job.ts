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
  path: "/api/companies/{companyId}/content-jobs/{jobId}/cancel",
  tags: ["jobs"],
  summary: "Cancel a queued or running job",
  description: "A running job's renderer is aborted on whichever worker runs it. Terminal jobs answer 409.",
  middleware: [requireCompany(), rateLimit("read")] as const,
  request: { params: jobParams },
  responses: {
    202: { description: "Cancelled", content: { "application/json": { schema: jobSchema } } },
    ...pick(401, 403, 404, 409, 429, 503),
  },
});

export const registerCancelJob = (app: OpenAPIHono<AppEnv>) =>
  app.openapi(route, async (c) => {
    const { companyId, jobId } = c.req.valid("param");
    if (!isUuid(jobId)) throw new ApiError("not_found", "No such job");
    return c.json(await c.var.services.engine.cancel(companyId, jobId), 202);
  });
