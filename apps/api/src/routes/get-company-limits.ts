import { createRoute, type OpenAPIHono } from "@hono/zod-openapi";
import { companyLimitsViewSchema } from "@kiln/core";
import { pick } from "../errors/error-responses.ts";
import { requireAdmin } from "../middleware/auth.ts";
import type { AppEnv } from "../services.ts";
import { requireExistingCompany } from "./existing-company.ts";
import { companyParams } from "./params.ts";

const route = createRoute({
  method: "get",
  path: "/api/companies/{companyId}/limits",
  tags: ["limits"],
  summary: "A company's limits (admin token)",
  description:
    "The limits in force (`limits`) and which of them were set for this company (`overrides`); the others " +
    "are the defaults from the environment (`KILN_LIMIT_*`).",
  middleware: [requireAdmin] as const,
  request: { params: companyParams },
  responses: {
    200: { description: "The limits", content: { "application/json": { schema: companyLimitsViewSchema } } },
    ...pick(401, 404, 503),
  },
});

export const registerGetCompanyLimits = (app: OpenAPIHono<AppEnv>) =>
  app.openapi(route, async (c) => {
    const { companyId } = c.req.valid("param");
    await requireExistingCompany(c.var.services, companyId);
    return c.json({ companyId, ...(await c.var.services.limits.overview(companyId)) }, 200);
  });
