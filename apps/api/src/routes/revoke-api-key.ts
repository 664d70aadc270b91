import { createRoute, type OpenAPIHono, z } from "@hono/zod-openapi";
import { ApiError } from "../errors/api-error.ts";
import { pick } from "../errors/error-responses.ts";
import { requireAdmin } from "../middleware/auth.ts";
import type { AppEnv } from "../services.ts";
import { companyParams, isUuid } from "./params.ts";

const route = createRoute({
  method: "delete",
  path: "/api/companies/{companyId}/api-keys/{keyId}",
  tags: ["admin"],
  summary: "Revoke an API key (admin token); it stops working at once",
  description:
    "The key, and every stream token it minted, is refused from now on; the SSE streams they opened end " +
    "on every API instance (broadcast through Redis).",
  middleware: [requireAdmin] as const,
  request: { params: companyParams.extend({ keyId: z.string() }) },
  responses: { 204: { description: "Revoked" }, ...pick(401, 404, 503) },
});

export const registerRevokeApiKey = (app: OpenAPIHono<AppEnv>) =>
  app.openapi(route, async (c) => {
    const { companyId, keyId } = c.req.valid("param");
    const revoked =
      isUuid(companyId) && isUuid(keyId) && (await c.var.services.companies.revokeApiKey(companyId, keyId));
    if (!revoked) throw new ApiError("not_found", "No such active key for this company");
    const { sse, revocations, apiKeys, logger } = c.var.services;
    // Refused by this instance from now on; by every other one when it hears the broadcast.
    apiKeys.forget(keyId);
    // This instance's streams end at once; every other instance's when it hears the broadcast.
    await sse.closeByKey(keyId);
    await revocations.publish(keyId).catch((error: unknown) => {
      // The key is revoked in PostgreSQL already: other instances find it on their next sweep.
      logger.warn({ err: error, keyId }, "could not broadcast a key revocation");
    });
    return c.body(null, 204);
  });
