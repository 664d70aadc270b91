import type { MiddlewareHandler } from "hono";

/**
 * Pages no other site may frame (clickjacking): `X-Frame-Options: DENY` for old browsers and CSP
 * `frame-ancestors 'none'`, on every answer, errors included. `policy` is the rest of the page's
 * Content-Security-Policy, if it has one.
 */
export const noFraming =
  (policy?: string): MiddlewareHandler =>
  async (c, next) => {
    await next();
    c.res.headers.set("x-frame-options", "DENY");
    c.res.headers.set(
      "content-security-policy",
      policy ? `${policy}; frame-ancestors 'none'` : "frame-ancestors 'none'",
    );
  };
