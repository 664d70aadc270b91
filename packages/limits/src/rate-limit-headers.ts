import type { RateLimitState } from "@kiln/core";
import type { RatePolicy } from "./rate-limits.ts";

// The header fields of draft-ietf-httpapi-ratelimit-headers (revision 10 and later): Structured
// Field Lists (RFC 9651) of policies named by Strings. Kiln's policy names are fixed ASCII
// words, so no escaping is needed.

/** `RateLimit-Policy: "submit";q=20;w=1, "submit-burst";q=40;w=10` */
export const formatRateLimitPolicy = (policies: readonly RatePolicy[]): string =>
  policies.map((policy) => `"${policy.name}";q=${policy.quota};w=${policy.windowSeconds}`).join(", ");

/** `RateLimit: "submit";r=5;t=1`: what is left of each policy, and when its window ends. */
export const formatRateLimit = (states: readonly RateLimitState[]): string =>
  states.map((state) => `"${state.policy}";r=${state.remaining};t=${state.resetSeconds}`).join(", ");
