import type { MiddlewareHandler } from "hono";
import type { AppEnv } from "../services.ts";

/**
 * The dashboard's own responses: scripts only from this origin (no inline or eval'd code), nothing
 * from other origins, no framing by other sites. `blob:` is allowed only where artifact previews
 * need it: an artifact is downloaded with the Authorization header and shown through an object URL
 * (img, and PDF / HTML in a frame; the HTML frame is `sandbox`ed without scripts).
 *
 * `style-src` allows inline styles for one reason: a document loaded from a `blob:` URL inherits
 * this policy, and an HTML artifact (markdown.html) carries its stylesheet inline; without it the
 * preview renders unstyled. The dashboard itself builds its DOM without HTML strings, so there is no
 * markup injection for inline styles to ride on; scripts stay `'self'` only.
 */
export const dashboardCsp = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' blob:",
  "frame-src blob:",
  "object-src 'none'",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join("; ");

export const dashboardSecurityHeaders: MiddlewareHandler<AppEnv> = async (c, next) => {
  await next();
  c.res.headers.set("Content-Security-Policy", dashboardCsp);
  c.res.headers.set("X-Content-Type-Options", "nosniff");
  c.res.headers.set("Referrer-Policy", "no-referrer");
  c.res.headers.set("X-Frame-Options", "DENY");
};
