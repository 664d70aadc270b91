import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApp } from "../../src/app.ts";
import type { ApiConfig } from "../../src/config.ts";
import { createApiMetrics } from "../../src/ops/metrics.ts";
import { createTestHarness, type TestHarness } from "../../src/testing/test-harness.ts";
import { metricLines } from "./support.ts";

let h: TestHarness;
let acme: { companyId: string; key: string };

beforeAll(async () => {
  h = await createTestHarness();
  acme = await h.createCompany("Acme");
});
afterAll(() => h?.close());

const appWith = (config: Partial<ApiConfig>) =>
  createApp({ ...h.services, config: { ...h.services.config, ...config } });
const scrape = (config: Partial<ApiConfig>, authorization?: string) =>
  appWith(config).request("/metrics", { headers: authorization ? { authorization } : {} });

describe("GET /metrics in production", () => {
  const token = "metrics-token-0123456789";

  it("without KILN_METRICS_TOKEN → 401 problem naming the settings, no metrics", async () => {
    for (const authorization of [undefined, `Bearer ${h.adminToken}`, "Bearer anything-at-all-0123"]) {
      const response = await scrape({ NODE_ENV: "production" }, authorization);
      expect(response.status, authorization).toBe(401);
      expect(response.headers.get("content-type")).toBe("application/problem+json");
      const text = await response.text();
      expect(text).toMatch(/KILN_METRICS_TOKEN/);
      expect(text).not.toContain("kiln_");
    }
  });

  it("KILN_METRICS_PUBLIC=true opens it", async () => {
    const lines = await metricLines(await scrape({ NODE_ENV: "production", KILN_METRICS_PUBLIC: true }));
    expect(lines).toContain("# TYPE kiln_jobs gauge");
  });

  it("with KILN_METRICS_TOKEN, only `Bearer <token>` (even with KILN_METRICS_PUBLIC=true)", async () => {
    for (const config of [
      { NODE_ENV: "production" as const, KILN_METRICS_TOKEN: token },
      { NODE_ENV: "production" as const, KILN_METRICS_TOKEN: token, KILN_METRICS_PUBLIC: true },
    ]) {
      expect((await scrape(config)).status).toBe(401);
      expect((await scrape(config, "Bearer wrong-token-0123456789")).status).toBe(401);
      await metricLines(await scrape(config, `Bearer ${token}`));
    }
  });

  it("development stays open without a token", async () => {
    await metricLines(await scrape({ NODE_ENV: "development" }));
  });
});

describe("job counts by status come from a cached query", () => {
  /** The real job store, counting the `GROUP BY` queries the metrics run. */
  const countingJobs = () => {
    const counter = {
      queries: 0,
      countByStatus() {
        counter.queries += 1;
        return h.services.jobs.countByStatus();
      },
    };
    return counter;
  };
  const submitCanary = async () => {
    const response = await h.request("POST", `/api/companies/${acme.companyId}/content-jobs`, {
      key: acme.key,
      body: { jobType: "canary", input: { durationMs: 0, steps: 1 } },
    });
    expect(response.status).toBe(202);
  };
  const queuedIn = (text: string) => Number(/^kiln_jobs\{status="queued"\} (\d+)$/m.exec(text)?.[1]);

  it("30 concurrent scrapes over HTTP run one query", async () => {
    const jobs = countingJobs();
    const metrics = createApiMetrics({
      ...h.services,
      jobTypes: [...h.services.renderers.keys()],
      jobs,
      jobCountsTtlMs: 15_000,
    });
    const app = createApp({ ...h.services, metrics });
    const responses = await Promise.all(Array.from({ length: 30 }, () => app.request("/metrics")));
    const texts = await Promise.all(responses.map((response) => response.text()));
    expect(responses.every((response) => response.status === 200)).toBe(true);
    expect(new Set(texts.map(queuedIn)).size).toBe(1);
    expect(jobs.queries).toBe(1);
  });

  it("within the interval the figures are reused; after it, one new query refreshes them", async () => {
    let clock = 1_000_000;
    const jobs = countingJobs();
    const metrics = createApiMetrics({
      ...h.services,
      jobTypes: [...h.services.renderers.keys()],
      jobs,
      jobCountsTtlMs: 15_000,
      now: () => clock,
    });
    const before = queuedIn(await metrics.render());
    expect(jobs.queries).toBe(1);

    await submitCanary();
    clock += 14_999;
    expect(queuedIn(await metrics.render())).toBe(before);
    expect(jobs.queries).toBe(1);

    clock += 1;
    const [first, second] = await Promise.all([metrics.render(), metrics.render()]);
    expect(queuedIn(first)).toBe(before + 1);
    expect(queuedIn(second)).toBe(before + 1);
    expect(jobs.queries).toBe(2);
  });

  it("a failed query is not kept: the next scrape asks again", async () => {
    let failing = true;
    let queries = 0;
    const metrics = createApiMetrics({
      ...h.services,
      jobTypes: [...h.services.renderers.keys()],
      jobs: {
        countByStatus() {
          queries += 1;
          return failing ? Promise.reject(new Error("database down")) : h.services.jobs.countByStatus();
        },
      },
      jobCountsTtlMs: 15_000,
    });
    expect(await metrics.render()).toContain('kiln_metrics_collector_up{collector="jobs"} 0');
    failing = false;
    expect(await metrics.render()).toContain('kiln_metrics_collector_up{collector="jobs"} 1');
    expect(queries).toBe(2);
  });
});
