import { createRoute, type OpenAPIHono, z } from "@hono/zod-openapi";
import { createdApiKeySchema } from "@kiln/core";
import { ApiError } from "../errors/api-error.ts";
import { pick } from "../errors/error-responses.ts";
import { requireAdmin } from "../middleware/auth.ts";
import type { AppEnv } from "../services.ts";
import { companyParams, isUuid } from "./params.ts";

const route = createRoute({
  method: "post",
  path: "/api/companies/{companyId}/api-keys",
  tags: ["admin"],
  summary: "Create an API key for a company (admin token)",
  middleware: [requireAdmin] as const,
  request: {
    params: companyParams,
    body: {
      required: true,
      content: { "application/json": { schema: z.object({ name: z.string().trim().min(1).max(200) }) } },
    },
  },
  responses: {
    201: {
      description: "Created; the key is shown once",
      content: { "application/json": { schema: createdApiKeySchema } },
    },
    ...pick(400, 401, 404, 413, 415, 503),
  },
});

export const registerCreateApiKey = (app: OpenAPIHono<AppEnv>) =>
  app.openapi(route, async (c) => {
    const { companies } = c.var.services;
    const { companyId } = c.req.valid("param");
    if (!isUuid(companyId) || !(await companies.companyExists(companyId))) {
      throw new ApiError("not_found", "No such company");
    }
    const created = await companies.createApiKey(companyId, c.req.valid("json").name);
    return c.json(created, 201);
  });
