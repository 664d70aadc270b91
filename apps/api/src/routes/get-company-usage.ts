import { createRoute, type OpenAPIHono } from "@hono/zod-openapi";
import { companyUsageSchema } from "@kiln/core";
import { pick } from "../errors/error-responses.ts";
import { readCompanyUsage } from "../limits/company-usage.ts";
import { requireCompanyOrAdmin } from "../middleware/auth.ts";
import { rateLimit } from "../middleware/rate-limit.ts";
import type { AppEnv } from "../services.ts";
import { requireExistingCompany } from "./existing-company.ts";
import { companyParams } from "./params.ts";

const route = createRoute({
  method: "get",
  path: "/api/companies/{companyId}/usage",
  tags: ["limits"],
  summary: "A company's limits and current usage (its API key or the admin token)",
  description:
    "Queued and running jobs, running jobs per type, open event streams (every API instance), stored " +
    "artifact bytes, and the state of each rate limit (the asking key's too, without counting a request " +
    "against them: reading this counts against `read` only).",
  middleware: [requireCompanyOrAdmin, rateLimit("read")] as const,
  request: { params: companyParams },
  responses: {
    200: { description: "Limits and usage", content: { "application/json": { schema: companyUsageSchema } } },
    ...pick(401, 403, 404, 429, 503),
  },
});

export const registerGetCompanyUsage = (app: OpenAPIHono<AppEnv>) =>
  app.openapi(route, async (c) => {
    const { services, auth } = c.var;
    const { companyId } = c.req.valid("param");
    if (auth.kind === "admin") await requireExistingCompany(services, companyId);
    const keyId = auth.kind === "admin" ? null : auth.keyId;
    return c.json(await readCompanyUsage(services, companyId, keyId), 200);
  });
