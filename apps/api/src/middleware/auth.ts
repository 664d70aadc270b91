import type { MiddlewareHandler } from "hono";
import { isAdminToken } from "../auth/secret-digests.ts";
import { ApiError } from "../errors/api-error.ts";
import type { AppEnv } from "../services.ts";

const unauthorized = () => new ApiError("unauthorized", "Missing, unknown or revoked credentials");

export const bearerOf = (header: string | undefined): string | null => {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header ?? "");
  return match?.[1] ?? null;
};

/** Admin routes: only `KILN_ADMIN_TOKEN`. */
export const requireAdmin: MiddlewareHandler<AppEnv> = async (c, next) => {
  const token = bearerOf(c.req.header("authorization"));
  if (!token || !isAdminToken(token, c.var.services.adminTokenHash)) throw unauthorized();
  c.set("auth", { kind: "admin" });
  await next();
};

/**
 * Company routes: an API key of that company (another company's path: 403). With
 * `allowStreamToken`, SSE routes also take `?access_token=` minted for that company by a key
 * that is still active: revoking a key revokes every token it minted, on every instance.
 */
export const requireCompany =
  ({ allowStreamToken = false } = {}): MiddlewareHandler<AppEnv> =>
  async (c, next) => {
    const { apiKeys, streamTokens } = c.var.services;
    const companyId = c.req.param("companyId");
    const key = bearerOf(c.req.header("authorization"));
    const streamToken = allowStreamToken && !key ? c.req.query("access_token") : undefined;
    if (key) {
      const found = await apiKeys.authenticate(key);
      if (!found) throw unauthorized();
      if (found.companyId !== companyId)
        throw new ApiError("forbidden", "This API key belongs to another company");
      c.set("auth", { kind: "key", ...found });
    } else if (streamToken) {
      const claims = streamTokens.verify(streamToken);
      if (!claims) throw unauthorized();
      if (claims.companyId !== companyId)
        throw new ApiError("forbidden", "This stream token is for another company");
      if (!(await apiKeys.isActive(claims.keyId, claims.companyId))) throw unauthorized();
      c.set("auth", { kind: "stream", ...claims });
    } else {
      throw unauthorized();
    }
    await next();
  };

/**
 * Routes about a company that its admin may read too (its usage): the admin token, else an API key
 * of that company as `requireCompany()` checks it.
 */
export const requireCompanyOrAdmin: MiddlewareHandler<AppEnv> = async (c, next) => {
  const token = bearerOf(c.req.header("authorization"));
  if (token && isAdminToken(token, c.var.services.adminTokenHash)) {
    c.set("auth", { kind: "admin" });
    return next();
  }
  return requireCompany()(c, next);
};
