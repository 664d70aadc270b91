import { createRoute, type OpenAPIHono } from "@hono/zod-openapi";
import {
  type CompanyLimits,
  type CompanyLimitsPatch,
  companyLimitsPatchSchema,
  companyLimitsViewSchema,
  runningCapFor,
} from "@kiln/core";
import { ApiError } from "../errors/api-error.ts";
import { pick } from "../errors/error-responses.ts";
import { requireAdmin } from "../middleware/auth.ts";
import type { AppEnv, Services } from "../services.ts";
import { requireExistingCompany } from "./existing-company.ts";
import { companyParams } from "./params.ts";

const route = createRoute({
  method: "patch",
  path: "/api/companies/{companyId}/limits",
  tags: ["limits"],
  summary: "Change a company's limits (admin token)",
  description:
    "Each field sets that limit for this company; `null` puts it back to the default; absent fields stay as " +
    "they are. Invalid input changes nothing (400, every problem in `errors[]`). Every API instance applies " +
    "the change within a second.",
  middleware: [requireAdmin] as const,
  request: {
    params: companyParams,
    body: { required: true, content: { "application/json": { schema: companyLimitsPatchSchema } } },
  },
  responses: {
    200: {
      description: "The limits now in force",
      content: { "application/json": { schema: companyLimitsViewSchema } },
    },
    ...pick(400, 401, 404, 413, 415, 503),
  },
});

/** Caps by job type must name job types this Kiln has (or `*`): a typo would cap nothing. */
const unknownJobTypes = (patch: CompanyLimitsPatch, known: ReadonlyMap<string, unknown>) => {
  const caps = patch.maxRunningPerJobType;
  if (caps === null || caps === undefined || typeof caps === "number") return [];
  return Object.keys(caps)
    .filter((jobType) => jobType !== "*" && !known.has(jobType))
    .map((jobType) => ({ path: `maxRunningPerJobType.${jobType}`, message: "no such job type" }));
};

/**
 * The dispatcher reads running caps from Redis (every worker and API instance sees them at once);
 * a raised cap may let waiting jobs go, so each job type is dispatched.
 */
const applyRunningCaps = async (
  services: Pick<Services, "queues" | "renderers">,
  companyId: string,
  limits: CompanyLimits,
) => {
  for (const jobType of services.renderers.keys()) {
    const cap = runningCapFor(limits, jobType);
    await services.queues.lines.setRunningCap(jobType, companyId, Number.isFinite(cap) ? cap : null);
    await services.queues.dispatch(jobType);
  }
};

export const registerUpdateCompanyLimits = (app: OpenAPIHono<AppEnv>) =>
  app.openapi(route, async (c) => {
    const { services } = c.var;
    const { companyId } = c.req.valid("param");
    const patch = c.req.valid("json");
    const errors = unknownJobTypes(patch, services.renderers);
    if (errors.length > 0) throw new ApiError("validation_failed", "Invalid request body", { errors });
    await requireExistingCompany(services, companyId);
    const updated = await services.limits.update(companyId, patch);
    if (patch.maxRunningPerJobType !== undefined) await applyRunningCaps(services, companyId, updated.limits);
    return c.json({ companyId, ...updated }, 200);
  });
