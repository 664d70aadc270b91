import { createRoute, type OpenAPIHono } from "@hono/zod-openapi";
import { streamTokenSchema } from "@kiln/core";
import { pick } from "../errors/error-responses.ts";
import { requireCompany } from "../middleware/auth.ts";
import type { AppEnv } from "../services.ts";
import { companyParams } from "./params.ts";

const route = createRoute({
  method: "post",
  path: "/api/companies/{companyId}/stream-tokens",
  tags: ["events"],
  summary: "Mint a short-lived token for EventSource (`?access_token=`)",
  description: "Valid ≤ 5 minutes, for this company's SSE routes only; never accepted as an API key.",
  middleware: [requireCompany()] as const,
  request: { params: companyParams },
  responses: {
    201: {
      description: "Minted",
      content: {
        "application/json": {
          schema: streamTokenSchema,
        },
      },
    },
    ...pick(401, 403, 503),
  },
});

export const registerCreateStreamToken = (app: OpenAPIHono<AppEnv>) =>
  app.openapi(route, (c) => c.json(c.var.services.streamTokens.mint(c.req.valid("param").companyId), 201));
