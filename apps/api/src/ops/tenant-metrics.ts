import { Counter, Gauge, type Registry } from "@kiln/telemetry";

/** A company's queued and running jobs, as the metrics read them. */
export interface CompanyActiveJobs {
  companyId: string;
  queued: number;
  running: number;
}

export interface TenantMetricsOptions {
  registers: Registry[];
  /** Companies always labelled by their id (`KILN_METRICS_COMPANIES`). */
  labelledCompanies: readonly string[];
  /** How many more companies get a label of their own (`KILN_METRICS_COMPANY_LABELS`). */
  moreLabels: number;
}

const other = "other";

/**
 * Metrics by company with a bounded number of series: a company label is the company's id only for
 * the companies named in `labelledCompanies` and a few more (`moreLabels`), else `other`.
 * - Counters (throttled requests, quota refusals) label the first `moreLabels` companies this
 *   instance counts, for as long as it runs: a counter's series never moves between labels, so
 *   `rate()` stays right. The noisy tenants are normally the first to be throttled.
 * - The jobs gauge labels the `moreLabels` companies with the most queued + running jobs at each
 *   scrape and sums the rest as `other`.
 */
export const createTenantMetrics = ({ registers, labelledCompanies, moreLabels }: TenantMetricsOptions) => {
  const alwaysLabelled = new Set(labelledCompanies);
  const counted = new Set<string>();
  const counterLabelOf = (companyId: string): string => {
    if (alwaysLabelled.has(companyId) || counted.has(companyId)) return companyId;
    if (counted.size >= moreLabels) return other;
    counted.add(companyId);
    return companyId;
  };

  const throttled = new Counter({
    name: "kiln_rate_limited_requests_total",
    help: "Requests refused with 429 rate_limited, by company (bounded, see docs) and policy that ran out",
    labelNames: ["company", "policy"] as const,
    registers,
  });
  const refusals = new Counter({
    name: "kiln_quota_refusals_total",
    help: "Requests refused with 429 quota_exceeded, by company (bounded, see docs) and quota",
    labelNames: ["company", "quota"] as const,
    registers,
  });
  const companyJobs = new Gauge({
    name: "kiln_company_jobs",
    help: "Queued and running jobs of the companies with the most (others summed as company=other), by status",
    labelNames: ["company", "status"] as const,
    registers,
  });

  return {
    countThrottled(companyId: string, policies: readonly string[]) {
      const company = counterLabelOf(companyId);
      for (const policy of policies) throttled.inc({ company, policy });
    },
    countQuotaRefusal(companyId: string, quota: "artifact_bytes" | "open_streams" | "active_jobs") {
      refusals.inc({ company: counterLabelOf(companyId), quota });
    },
    /** Replaces the jobs gauge with a scrape's counts (`null`: the database did not answer). */
    setCompanyJobs(rows: readonly CompanyActiveJobs[] | null) {
      companyJobs.reset();
      if (!rows) return;
      const busiest = [...rows].sort((a, b) => b.queued + b.running - (a.queued + a.running));
      const labelled = new Set(busiest.slice(0, moreLabels).map((row) => row.companyId));
      const rest = { queued: 0, running: 0 };
      for (const row of busiest) {
        if (labelled.has(row.companyId) || alwaysLabelled.has(row.companyId)) {
          companyJobs.set({ company: row.companyId, status: "queued" }, row.queued);
          companyJobs.set({ company: row.companyId, status: "running" }, row.running);
        } else {
          rest.queued += row.queued;
          rest.running += row.running;
        }
      }
      companyJobs.set({ company: other, status: "queued" }, rest.queued);
      companyJobs.set({ company: other, status: "running" }, rest.running);
    },
  };
};

export type TenantMetrics = ReturnType<typeof createTenantMetrics>;
