export * from "./company-cache.ts";
export * from "./company-limits.ts";
export * from "./rate-limit-headers.ts";
export * from "./rate-limits.ts";
export * from "./stream-leases.ts";
