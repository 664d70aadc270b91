import { createRoute, type OpenAPIHono } from "@hono/zod-openapi";
import { streamTokenSchema } from "@kiln/core";
import { ApiError } from "../errors/api-error.ts";
import { pick } from "../errors/error-responses.ts";
import { requireCompany } from "../middleware/auth.ts";
import { rateLimit } from "../middleware/rate-limit.ts";
import type { AppEnv } from "../services.ts";
import { companyParams } from "./params.ts";

const route = createRoute({
  method: "post",
  path: "/api/companies/{companyId}/stream-tokens",
  tags: ["events"],
  summary: "Mint a short-lived token for EventSource (`?access_token=`)",
  description:
    "Valid ≤ 5 minutes, for this company's SSE routes only; never accepted as an API key. Revoking the key " +
    "that minted it revokes the token; a stream opened with it ends when it expires (with a `retry:` hint).",
  middleware: [requireCompany(), rateLimit("read")] as const,
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
    ...pick(401, 403, 429, 503),
  },
});

export const registerCreateStreamToken = (app: OpenAPIHono<AppEnv>) =>
  app.openapi(route, (c) => {
    const { auth } = c.var;
    // `requireCompany()` without stream tokens admits API keys only; the token carries the key's id.
    if (auth.kind !== "key") throw new ApiError("unauthorized", "Only an API key can mint stream tokens");
    const { companyId, keyId } = auth;
    return c.json(c.var.services.streamTokens.mint({ companyId, keyId }), 201);
  });
