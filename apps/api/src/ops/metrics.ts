import type { JobStatus, Logger } from "@kiln/core";
import { type EventHub, type JobQueues, withTimeout } from "@kiln/queue";
import { Counter, createMetricsRegistry, Gauge, Histogram, prometheusContentType } from "@kiln/telemetry";
import type { SseRegistry } from "../sse/sse-registry.ts";
import type { StreamOpenGate } from "../sse/stream-open-gate.ts";
import { cachedLookup } from "./cached-lookup.ts";
import { type CompanyActiveJobs, createTenantMetrics } from "./tenant-metrics.ts";

export interface ApiMetricsOptions {
  queues: Pick<JobQueues, "queue" | "lines">;
  /** The registered job types; one queue each. */
  jobTypes: readonly string[];
  jobs: { countByStatus(): Promise<Record<JobStatus, number>> };
  /** Queued and running jobs per company, for the per-company jobs gauge. */
  companyUsage: { activeJobsByCompany(): Promise<CompanyActiveJobs[]> };
  /** Companies always labelled by id in per-company metrics. Default none. */
  labelledCompanies?: readonly string[];
  /** How many more companies per-company metrics label by id (the rest: `other`). Default 20. */
  moreCompanyLabels?: number;
  sse: Pick<SseRegistry, "size">;
  /** Stream opens waiting for their company's turn; none counted when absent. */
  streamOpens?: Pick<StreamOpenGate, "waiting">;
  hub: Pick<EventHub, "stats">;
  logger: Logger;
  /**
   * How long each scrape-time lookup (Redis queue counts, the PostgreSQL job count) may take, so a
   * dependency that hangs costs a scrape at most this long. Default 1000 ms.
   */
  collectTimeoutMs?: number;
  /**
   * How long the job counts by status are reused: each is a `GROUP BY` over the jobs table, so
   * scrapes share one query in flight and reuse its answer this long. Default 15000 ms.
   */
  jobCountsTtlMs?: number;
  /** The clock of that reuse, in ms. Default `Date.now`. */
  now?: () => number;
  /** Companies with the longest lines shown by name in `kiln_company_lined_jobs`; the rest sum up as `other`. Default 10. */
  topCompanies?: number;
}

/** The `top` largest counts by key, and the sum of the rest under `other` (bounded label cardinality). */
const topAndOther = (counts: Map<string, number>, top: number): [string, number][] => {
  const sorted = [...counts.entries()].sort((a, b) => b[1] - a[1]);
  const rest = sorted.slice(top).reduce((sum, [, count]) => sum + count, 0);
  return [...sorted.slice(0, top), ...(sorted.length > top ? [["other", rest] as [string, number]] : [])];
};

export interface HttpObservation {
  method: string;
  /** The matched route pattern (`/api/companies/:companyId/content-jobs`), never the raw path. */
  route: string;
  status: number;
  seconds: number;
}

export interface ApiMetrics {
  observeRequest(observation: HttpObservation): void;
  /** A request refused with 429 `rate_limited`, with the policies that ran out. */
  countThrottled(companyId: string, policies: readonly string[]): void;
  /** A request refused with 429 `quota_exceeded`. */
  countQuotaRefusal(companyId: string, quota: "artifact_bytes" | "open_streams" | "active_jobs"): void;
  /** The Prometheus text exposition of every metric, collecting queue and job counts now. */
  render(): Promise<string>;
  readonly contentType: string;
}

// Anything else (a made-up verb) is folded into one label value, so callers cannot grow the series.
const knownMethods = new Set(["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]);

/**
 * The API's metrics on a registry of its own. Queue depth and live connections are read when
 * Prometheus scrapes, so they are never stale and cost nothing between scrapes; job counts by
 * status come from a cached query (see `jobCountsTtlMs`).
 */
export const createApiMetrics = ({
  queues,
  jobTypes,
  jobs,
  companyUsage,
  labelledCompanies = [],
  moreCompanyLabels = 20,
  sse,
  streamOpens,
  hub,
  logger,
  collectTimeoutMs = 1_000,
  jobCountsTtlMs = 15_000,
  topCompanies = 10,
  now,
}: ApiMetricsOptions): ApiMetrics => {
  const countJobsByStatus = cachedLookup(() => jobs.countByStatus(), { ttlMs: jobCountsTtlMs, now });
  const countActiveJobsByCompany = cachedLookup(() => companyUsage.activeJobsByCompany(), {
    ttlMs: jobCountsTtlMs,
    now,
  });
  const registry = createMetricsRegistry();
  const registers = [registry];
  const tenants = createTenantMetrics({ registers, labelledCompanies, moreLabels: moreCompanyLabels });

  const requests = new Counter({
    name: "kiln_http_requests_total",
    help: "HTTP requests answered, by method, route pattern and status",
    labelNames: ["method", "route", "status"] as const,
    registers,
  });
  const durations = new Histogram({
    name: "kiln_http_request_duration_seconds",
    help: "Time until the response starts (for SSE: until the stream opens), by method, route pattern and status",
    labelNames: ["method", "route", "status"] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers,
  });

  const collectorUp = new Gauge({
    name: "kiln_metrics_collector_up",
    help: "1 when this scrape could read the collector's source (queues: Redis, jobs and companies: PostgreSQL), else 0",
    labelNames: ["collector"] as const,
    registers,
  });
  const queueJobs = new Gauge({
    name: "kiln_queue_jobs",
    help: "BullMQ entries per job type and state (the whole queue: the same in every API instance)",
    labelNames: ["job_type", "state"] as const,
    registers,
  });
  const companyLined = new Gauge({
    name: "kiln_company_lined_jobs",
    help: "Jobs waiting in a company's line per job type: the companies with the longest lines by id, the rest as `other`",
    labelNames: ["job_type", "company"] as const,
    registers,
  });
  const jobsByStatus = new Gauge({
    name: "kiln_jobs",
    help: "Content jobs per status in PostgreSQL, all companies (the same in every API instance)",
    labelNames: ["status"] as const,
    registers,
  });

  // A failing source is logged when it starts failing, not on every scrape while it stays down.
  const lastUp = new Map<string, boolean>();
  const read = async <T>(
    collector: "queues" | "jobs" | "companies",
    lookup: () => Promise<T>,
  ): Promise<T | null> => {
    let value: T | null = null;
    try {
      value = await withTimeout(lookup(), collectTimeoutMs, `${collector} metrics`);
    } catch (error) {
      if (lastUp.get(collector) !== false) logger.warn({ err: error, collector }, "metrics collector failed");
    }
    lastUp.set(collector, value !== null);
    collectorUp.set({ collector }, value === null ? 0 : 1);
    return value;
  };

  /**
   * Reads queue and job counts, then replaces the gauges at once: a source that is down leaves
   * no series rather than old numbers, and a lookup that answers after its timeout writes nothing.
   */
  const refresh = async () => {
    const [queueCounts, jobCounts, companyJobs] = await Promise.all([
      read("queues", () =>
        Promise.all(
          jobTypes.map(async (jobType) => {
            const [counts, lines] = await Promise.all([
              queues.queue(jobType).getJobCounts(),
              queues.lines.lineLengths(jobType),
            ]);
            return { counts, lines };
          }),
        ),
      ),
      read("jobs", countJobsByStatus),
      read("companies", countActiveJobsByCompany),
    ]);
    tenants.setCompanyJobs(companyJobs);
    queueJobs.reset();
    companyLined.reset();
    queueCounts?.forEach(({ counts, lines }, index) => {
      const job_type = jobTypes[index]!;
      for (const [state, count] of Object.entries(counts)) queueJobs.set({ job_type, state }, count);
      queueJobs.set(
        { job_type, state: "lined" },
        [...lines.values()].reduce((sum, count) => sum + count, 0),
      );
      for (const [company, count] of topAndOther(lines, topCompanies))
        companyLined.set({ job_type, company }, count);
    });
    jobsByStatus.reset();
    for (const [status, count] of Object.entries(jobCounts ?? {})) jobsByStatus.set({ status }, count);
  };

  const sseConnections: Gauge = new Gauge({
    name: "kiln_sse_connections",
    help: "Open SSE streams of this API instance",
    registers,
    collect() {
      sseConnections.set(sse.size());
    },
  });
  const sseOpensWaiting: Gauge = new Gauge({
    name: "kiln_sse_opens_waiting",
    help: "SSE stream opens of this API instance waiting for their company's turn (KILN_SSE_CONCURRENT_OPENS)",
    registers,
    collect() {
      sseOpensWaiting.set(streamOpens?.waiting ?? 0);
    },
  });
  const hubListeners: Gauge = new Gauge({
    name: "kiln_event_hub_listeners",
    help: "In-memory event listeners (SSE clients) of this API instance",
    registers,
    collect() {
      hubListeners.set(hub.stats().listeners);
    },
  });
  const hubChannels: Gauge = new Gauge({
    name: "kiln_event_hub_channels",
    help: "Redis pub/sub channels this API instance is subscribed to",
    registers,
    collect() {
      hubChannels.set(hub.stats().channels);
    },
  });

  return {
    contentType: prometheusContentType,
    countThrottled: tenants.countThrottled,
    countQuotaRefusal: tenants.countQuotaRefusal,
    observeRequest({ method, route, status, seconds }) {
      const labels = { method: knownMethods.has(method) ? method : "OTHER", route, status: String(status) };
      requests.inc(labels);
      durations.observe(labels, seconds);
    },
    async render() {
      await refresh();
      return registry.metrics();
    },
  };
};
