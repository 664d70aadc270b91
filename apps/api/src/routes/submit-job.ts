import { createRoute, type OpenAPIHono, z } from "@hono/zod-openapi";
import { jobAcceptedSchema, jobPath, KilnError, submitJobBodySchema } from "@kiln/core";
import type { MiddlewareHandler } from "hono";
import { ApiError } from "../errors/api-error.ts";
import { pick } from "../errors/error-responses.ts";
import { submitJob } from "../jobs/job-commands.ts";
import { checkSubmitQuota } from "../limits/submit-quota.ts";
import { requireCompany } from "../middleware/auth.ts";
import { rateLimit } from "../middleware/rate-limit.ts";
import type { AppEnv } from "../services.ts";
import { companyParams } from "./params.ts";

/** JSON only: anything else is a 415 before the body is read. */
const requireJson: MiddlewareHandler<AppEnv> = async (c, next) => {
  const type = c.req.header("content-type") ?? "";
  if (!/^application\/([\w.+-]+\+)?json\s*(;|$)/i.test(type)) {
    throw new ApiError("unsupported_media_type", "Send the body as application/json");
  }
  await next();
};

const route = createRoute({
  method: "post",
  path: "/api/companies/{companyId}/content-jobs",
  tags: ["jobs"],
  summary: "Submit a content job",
  description:
    "`input` is validated by the job type's schema (see `GET /api/job-types`). With an `Idempotency-Key` header, " +
    "the same key and body within 24 h return the same job; the same key with another body is a 409. " +
    "Rate limited per key and per company (`429 rate_limited`, `Retry-After`); refused with `429 quota_exceeded` " +
    "while the company keeps more artifact bytes than its quota (see `GET …/usage`).",
  middleware: [requireCompany(), rateLimit("submit"), requireJson] as const,
  request: {
    params: companyParams,
    headers: z.object({ "idempotency-key": z.string().min(1).max(200).optional() }),
    body: { required: true, content: { "application/json": { schema: submitJobBodySchema } } },
  },
  responses: {
    202: {
      description: "Accepted: queued; follow it at Location or its events",
      headers: z.object({ Location: z.string() }),
      content: { "application/json": { schema: jobAcceptedSchema } },
    },
    ...pick(400, 401, 403, 409, 413, 415, 429, 503),
  },
});

export const registerSubmitJob = (app: OpenAPIHono<AppEnv>) =>
  app.openapi(route, async (c) => {
    const { companyId } = c.req.valid("param");
    await checkSubmitQuota(c.var.services, companyId);
    const { engine, renderers, config, metrics } = c.var.services;
    const { job } = await submitJob(
      { engine, renderers, idempotencyTtlMs: config.KILN_IDEMPOTENCY_TTL_MS },
      {
        companyId,
        body: c.req.valid("json"),
        idempotencyKey: c.req.valid("header")["idempotency-key"],
      },
    ).catch((error: unknown) => {
      // The engine refuses a job past the company's active-jobs quota (checked with the row write).
      if (error instanceof KilnError && error.code === "quota_exceeded")
        metrics.countQuotaRefusal(companyId, "active_jobs");
      throw error;
    });
    c.header("Location", jobPath(companyId, job.id));
    return c.json({ jobId: job.id, status: job.status, createdAt: job.createdAt }, 202);
  });
