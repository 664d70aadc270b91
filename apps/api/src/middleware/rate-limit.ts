import { formatRateLimit, formatRateLimitPolicy, type RateLimitGroup } from "@kiln/limits";
import type { MiddlewareHandler } from "hono";
import { ApiError } from "../errors/api-error.ts";
import type { AppEnv } from "../services.ts";

/**
 * Counts a company request against its key's and company's rate limits (after auth, before the
 * handler): beyond them, `429 rate_limited` with `Retry-After`. Every answer of a limited route
 * carries `RateLimit-Policy` and `RateLimit`. The admin token is never limited.
 */
export const rateLimit =
  (group: RateLimitGroup): MiddlewareHandler<AppEnv> =>
  async (c, next) => {
    const { auth, services } = c.var;
    if (auth.kind === "admin") return next();
    const subject = { keyId: auth.keyId, companyId: auth.companyId };
    const limits = await services.limits.get(auth.companyId);
    const decision = await services.rateLimits.consume(group, subject, limits);
    const headers: Record<string, string> = { "RateLimit-Policy": formatRateLimitPolicy(decision.policies) };
    if (decision.states.length > 0) headers.RateLimit = formatRateLimit(decision.states);
    if (!decision.allowed) {
      services.metrics.countThrottled(auth.companyId, decision.violated);
      throw new ApiError(
        "rate_limited",
        `Rate limit reached (${decision.violated.join(", ")}); retry after ${decision.retryAfterSeconds} s`,
        { headers: { ...headers, "Retry-After": String(decision.retryAfterSeconds) } },
      );
    }
    await next();
    for (const [name, value] of Object.entries(headers)) c.res.headers.set(name, value);
  };
