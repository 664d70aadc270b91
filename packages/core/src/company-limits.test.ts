import { describe, expect, it } from "vitest";
import { z } from "zod";
import { type CompanyLimits, resolveCompanyLimits, runningCapFor } from "./company-limits.ts";
import { companyLimitDefaultsOf, companyLimitsConfigShape } from "./company-limits-config.ts";
import { ConfigError, parseEnv } from "./config.ts";

const configSchema = z.object(companyLimitsConfigShape);
const defaultsFrom = (env: Record<string, string>) => companyLimitDefaultsOf(parseEnv(configSchema, env));

describe("company limits", () => {
  it("defaults protect a shared instance with no environment at all", () => {
    expect(defaultsFrom({})).toEqual({
      submitsPerSecondPerKey: 20,
      submitBurstPerKey: 40,
      submitsPerSecondPerCompany: 50,
      submitBurstPerCompany: 100,
      readsPerSecondPerKey: 100,
      readBurstPerKey: 200,
      maxActiveJobs: 10_000,
      maxRunningPerJobType: 10,
      maxOpenStreams: 100,
      maxArtifactBytes: 10 * 1024 ** 3,
    });
  });

  it("running caps come as a number or as JSON by job type with a `*`", () => {
    expect(defaultsFrom({ KILN_LIMIT_MAX_RUNNING_PER_JOB_TYPE: "3" }).maxRunningPerJobType).toBe(3);
    expect(
      defaultsFrom({ KILN_LIMIT_MAX_RUNNING_PER_JOB_TYPE: '{"*":4,"document.pdf":1}' }).maxRunningPerJobType,
    ).toEqual({ "*": 4, "document.pdf": 1 });
    for (const bad of ["0", "lots", '{"document.pdf":1}', '{"*":0}']) {
      expect(() => defaultsFrom({ KILN_LIMIT_MAX_RUNNING_PER_JOB_TYPE: bad })).toThrow(ConfigError);
    }
    expect(() => defaultsFrom({ KILN_LIMIT_MAX_RUNNING_PER_JOB_TYPE: "x" })).toThrow(
      /KILN_LIMIT_MAX_RUNNING_PER_JOB_TYPE="x": must be a whole number/,
    );
  });

  it("overrides replace defaults; caps by job type merge over the default caps", () => {
    const defaults = defaultsFrom({ KILN_LIMIT_MAX_RUNNING_PER_JOB_TYPE: '{"*":4,"document.pdf":1}' });
    const limits: CompanyLimits = resolveCompanyLimits(defaults, {
      maxOpenStreams: 2,
      maxRunningPerJobType: { "chart.vega": 2 },
    });
    expect(limits).toMatchObject({ maxOpenStreams: 2, submitsPerSecondPerKey: 20 });
    expect(runningCapFor(limits, "chart.vega")).toBe(2);
    expect(runningCapFor(limits, "document.pdf")).toBe(1);
    expect(runningCapFor(limits, "canary")).toBe(4);
    // A single number caps every job type.
    const flat = resolveCompanyLimits(defaults, { maxRunningPerJobType: 7 });
    expect(runningCapFor(flat, "document.pdf")).toBe(7);
    expect(resolveCompanyLimits(defaults, {})).toEqual(defaults);
  });
});
