import { parseList } from "structured-headers";
import { describe, expect, it } from "vitest";
import { formatRateLimit, formatRateLimitPolicy } from "./rate-limit-headers.ts";

describe("RateLimit header fields", () => {
  it("RateLimit-Policy is a Structured Field List of named policies with q and w", () => {
    const value = formatRateLimitPolicy([
      { name: "submit", quota: 20, windowSeconds: 1 },
      { name: "submit-burst", quota: 40, windowSeconds: 10 },
    ]);
    expect(value).toBe('"submit";q=20;w=1, "submit-burst";q=40;w=10');
    const parsed = parseList(value).map(([name, parameters]) => [
      name,
      Object.fromEntries(parameters as Map<string, unknown>),
    ]);
    expect(parsed).toEqual([
      ["submit", { q: 20, w: 1 }],
      ["submit-burst", { q: 40, w: 10 }],
    ]);
  });

  it("RateLimit is a Structured Field List of named policies with r and t", () => {
    const value = formatRateLimit([
      { policy: "read", quota: 100, windowSeconds: 1, remaining: 0, resetSeconds: 1 },
    ]);
    expect(value).toBe('"read";r=0;t=1');
    const [[name, parameters]] = parseList(value) as [[string, Map<string, unknown>]];
    expect(name).toBe("read");
    expect(Object.fromEntries(parameters)).toEqual({ r: 0, t: 1 });
  });
});
