import { createRoute, type OpenAPIHono, z } from "@hono/zod-openapi";
import { companySchema } from "@kiln/core";
import { pick } from "../errors/error-responses.ts";
import { requireAdmin } from "../middleware/auth.ts";
import type { AppEnv } from "../services.ts";

const route = createRoute({
  method: "post",
  path: "/api/companies",
  tags: ["admin"],
  summary: "Create a company (admin token)",
  middleware: [requireAdmin] as const,
  request: {
    body: {
      required: true,
      content: { "application/json": { schema: z.object({ name: z.string().trim().min(1).max(200) }) } },
    },
  },
  responses: {
    201: { description: "Created", content: { "application/json": { schema: companySchema } } },
    ...pick(400, 401, 413, 415, 503),
  },
});

export const registerCreateCompany = (app: OpenAPIHono<AppEnv>) =>
  app.openapi(route, async (c) => {
    const company = await c.var.services.companies.createCompany(c.req.valid("json").name);
    return c.json(company, 201);
  });
