import { createMetricsRegistry } from "@kiln/telemetry";
import { describe, expect, it } from "vitest";
import { createTenantMetrics } from "./tenant-metrics.ts";

const setUp = (labelledCompanies: string[], moreLabels: number) => {
  const registry = createMetricsRegistry();
  const metrics = createTenantMetrics({ registers: [registry], labelledCompanies, moreLabels });
  const lines = async (name: string) =>
    (await registry.metrics()).split("\n").filter((line) => line.startsWith(`${name}{`));
  return { metrics, lines };
};

describe("per-company metrics with bounded labels", () => {
  it("counters label the opted-in companies and the first few others; the rest are `other`", async () => {
    const { metrics, lines } = setUp(["vip"], 2);
    for (const company of ["a", "b", "c", "d", "vip", "a"]) metrics.countThrottled(company, ["submit"]);
    metrics.countQuotaRefusal("e", "open_streams");
    metrics.countQuotaRefusal("a", "artifact_bytes");
    expect(await lines("kiln_rate_limited_requests_total")).toEqual([
      'kiln_rate_limited_requests_total{company="a",policy="submit"} 2',
      'kiln_rate_limited_requests_total{company="b",policy="submit"} 1',
      'kiln_rate_limited_requests_total{company="other",policy="submit"} 2',
      'kiln_rate_limited_requests_total{company="vip",policy="submit"} 1',
    ]);
    expect(await lines("kiln_quota_refusals_total")).toEqual([
      'kiln_quota_refusals_total{company="other",quota="open_streams"} 1',
      'kiln_quota_refusals_total{company="a",quota="artifact_bytes"} 1',
    ]);
  });

  it("the jobs gauge labels the busiest companies and the opted-in ones, and sums the rest", async () => {
    const { metrics, lines } = setUp(["vip"], 1);
    metrics.setCompanyJobs([
      { companyId: "quiet", queued: 1, running: 0 },
      { companyId: "noisy", queued: 500, running: 2 },
      { companyId: "vip", queued: 0, running: 1 },
      { companyId: "middle", queued: 5, running: 1 },
    ]);
    expect((await lines("kiln_company_jobs")).sort()).toEqual([
      'kiln_company_jobs{company="noisy",status="queued"} 500',
      'kiln_company_jobs{company="noisy",status="running"} 2',
      'kiln_company_jobs{company="other",status="queued"} 6',
      'kiln_company_jobs{company="other",status="running"} 1',
      'kiln_company_jobs{company="vip",status="queued"} 0',
      'kiln_company_jobs{company="vip",status="running"} 1',
    ]);
    // The database did not answer: no figures rather than old ones.
    metrics.setCompanyJobs(null);
    expect(await lines("kiln_company_jobs")).toEqual([]);
  });
});
