import { parseList } from "structured-headers";
import { expect } from "vitest";
import type { TestHarness } from "../../src/testing/test-harness.ts";

/** A `RateLimit-Policy` or `RateLimit` field as `{policy: {param: value}}`, parsed as a Structured Field List. */
export const parseRateLimitField = (value: string | null): Record<string, Record<string, unknown>> => {
  expect(value, "the header is present").not.toBeNull();
  return Object.fromEntries(
    parseList(value!).map(([name, parameters]) => {
      expect(typeof name, "each member is a String naming its policy").toBe("string");
      return [name as string, Object.fromEntries(parameters)];
    }),
  );
};

export const limitsPath = (companyId: string) => `/api/companies/${companyId}/limits`;
export const usagePath = (companyId: string) => `/api/companies/${companyId}/usage`;

/** Sets a company's limits through the admin API (expects a 200). */
export const setLimits = async (h: TestHarness, companyId: string, patch: Record<string, unknown>) => {
  const response = await h.admin("PATCH", limitsPath(companyId), patch);
  expect(response.status, await response.clone().text()).toBe(200);
  return (await response.json()) as { limits: Record<string, unknown>; overrides: Record<string, unknown> };
};

/**
 * Prepares (`setup`) and sends (`burst`) until the burst fits within one rate-limit window of a
 * second: on a loaded machine a burst may straddle two windows, and then its counts mean nothing.
 * Each attempt gets a fresh setup (a new company), so attempts do not count against each other.
 */
export const withinOneWindow = async <S, T>(
  setup: () => Promise<S>,
  burst: (prepared: S) => Promise<T>,
  attempts = 5,
): Promise<S & { sent: T }> => {
  for (let attempt = 1; ; attempt++) {
    const prepared = await setup();
    const started = performance.now();
    const sent = await burst(prepared);
    if (performance.now() - started < 800 || attempt === attempts) return { ...prepared, sent };
  }
};
