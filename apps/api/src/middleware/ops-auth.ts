import type { Context, MiddlewareHandler } from "hono";
import { isAdminToken, sameSecret } from "../auth/secret-digests.ts";
import { ApiError } from "../errors/api-error.ts";
import { renderProblem } from "../errors/render-problem.ts";
import type { AppEnv } from "../services.ts";
import { bearerOf } from "./auth.ts";

/**
 * `/metrics`: with `KILN_METRICS_TOKEN` set, only `Authorization: Bearer <that token>`. Without it,
 * open in development, closed in production unless `KILN_METRICS_PUBLIC=true` opens it.
 */
export const requireMetricsToken: MiddlewareHandler<AppEnv> = async (c, next) => {
  const { KILN_METRICS_TOKEN: expected, KILN_METRICS_PUBLIC, NODE_ENV } = c.var.services.config;
  if (expected) {
    const token = bearerOf(c.req.header("authorization"));
    if (!token || !sameSecret(token, expected))
      throw new ApiError("unauthorized", "Missing or wrong metrics token");
  } else if (NODE_ENV === "production" && !KILN_METRICS_PUBLIC) {
    throw new ApiError(
      "unauthorized",
      "/metrics is closed in production: the operator sets KILN_METRICS_TOKEN (or KILN_METRICS_PUBLIC=true)",
    );
  }
  await next();
};

/** The password of `Authorization: Basic …` (any user name), or `null`. */
const basicPasswordOf = (header: string | undefined): string | null => {
  const match = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header ?? "");
  if (!match?.[1]) return null;
  const decoded = Buffer.from(match[1], "base64").toString("utf8");
  const colon = decoded.indexOf(":");
  return colon === -1 ? null : decoded.slice(colon + 1);
};

const safeMethods = new Set(["GET", "HEAD", "OPTIONS"]);

/**
 * A browser attaches remembered Basic credentials to requests other sites make it send, so a
 * state-changing request authenticated that way must come from this origin (Fetch Metadata, or
 * `Origin` from browsers that predate it).
 */
const isCrossSite = (c: Context): boolean => {
  const site = c.req.header("sec-fetch-site");
  if (site) return site !== "same-origin" && site !== "none";
  const origin = c.req.header("origin");
  if (!origin) return false;
  try {
    return new URL(origin).host !== (c.req.header("host") ?? new URL(c.req.url).host);
  } catch {
    return true;
  }
};

/**
 * Admin pages a browser opens (Bull Board): the admin token as `Bearer`, or as the password of HTTP
 * Basic auth (any user name), since a browser cannot add a bearer header to a page it navigates to.
 * Without valid credentials: 401 with `WWW-Authenticate: Basic`, so the browser asks for them.
 */
export const requireAdminForBrowser: MiddlewareHandler<AppEnv> = async (c, next) => {
  const header = c.req.header("authorization");
  const bearer = bearerOf(header);
  const password = bearer ? null : basicPasswordOf(header);
  const token = bearer ?? password;
  if (!token || !isAdminToken(token, c.var.services.adminTokenHash)) {
    const response = renderProblem(c, new ApiError("unauthorized", "The admin token is required"));
    response.headers.set("www-authenticate", 'Basic realm="Kiln"');
    return response;
  }
  if (password !== null && !safeMethods.has(c.req.method) && isCrossSite(c)) {
    throw new ApiError("forbidden", "Cross-site requests may not change queues");
  }
  c.set("auth", { kind: "admin" });
  await next();
};
