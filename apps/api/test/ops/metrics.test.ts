import { randomUUID } from "node:crypto";
import { startTcpProxy, waitUntil } from "@kiln/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApp } from "../../src/app.ts";
import { createTestHarness, type TestHarness } from "../../src/testing/test-harness.ts";
import { metricLines, sampleOf } from "./support.ts";

let h: TestHarness;
let acme: { companyId: string; key: string };
let redis: Awaited<ReturnType<typeof startTcpProxy>>;

beforeAll(async () => {
  redis = await startTcpProxy(6379);
  // The in-process API reaches Redis through a proxy, so the last test can take Redis away from it.
  h = await createTestHarness({ apiThrough: { redisPort: redis.port } });
  acme = await h.createCompany("Acme");
}, 60_000);
afterAll(async () => {
  redis?.restore();
  await h?.close();
  await redis?.close();
});

const scrape = async () => metricLines(await h.request("GET", "/metrics"));
const jobsPath = () => `/api/companies/${acme.companyId}/content-jobs`;

describe("GET /metrics", () => {
  it("answers Prometheus text without credentials, with Kiln's metrics and the process's", async () => {
    const lines = await scrape();
    for (const [name, type] of [
      ["kiln_http_requests_total", "counter"],
      ["kiln_http_request_duration_seconds", "histogram"],
      ["kiln_queue_jobs", "gauge"],
      ["kiln_jobs", "gauge"],
      ["kiln_sse_connections", "gauge"],
      ["kiln_sse_opens_waiting", "gauge"],
      ["kiln_event_hub_listeners", "gauge"],
      ["kiln_event_hub_channels", "gauge"],
    ]) {
      expect(lines).toContain(`# TYPE ${name} ${type}`);
    }
    expect(sampleOf(lines, "kiln_process_cpu_user_seconds_total")).toBeGreaterThan(0);
    expect(sampleOf(lines, "kiln_nodejs_eventloop_lag_seconds")).toBeGreaterThanOrEqual(0);
  });
});

describe("HTTP requests", () => {
  const listSeries = (status: number) =>
    `kiln_http_requests_total{method="GET",route="/api/companies/:companyId/content-jobs",status="${status}"}`;

  it("are counted and timed by route pattern and status, never by the raw path", async () => {
    const before = await scrape();
    for (let i = 0; i < 2; i++)
      expect((await h.request("GET", jobsPath(), { key: acme.key })).status).toBe(200);
    const after = await scrape();

    expect(sampleOf(after, listSeries(200))).toBe((sampleOf(before, listSeries(200)) ?? 0) + 2);
    const histogramCount = `kiln_http_request_duration_seconds_count{method="GET",route="/api/companies/:companyId/content-jobs",status="200"}`;
    expect(sampleOf(after, histogramCount)).toBe((sampleOf(before, histogramCount) ?? 0) + 2);
    expect(after.join("\n")).not.toContain(acme.companyId);
  });

  it("an answer from a middleware (401) is labelled with the endpoint it was for", async () => {
    const before = sampleOf(await scrape(), listSeries(401)) ?? 0;
    expect((await h.request("GET", jobsPath())).status).toBe(401);
    expect(sampleOf(await scrape(), listSeries(401))).toBe(before + 1);
  });

  it("a path no route matches counts as `unmatched`, and an unknown method as OTHER", async () => {
    const unmatched = `kiln_http_requests_total{method="GET",route="unmatched",status="404"}`;
    const other = `kiln_http_requests_total{method="OTHER",route="unmatched",status="404"}`;
    const before = await scrape();
    const id = randomUUID();
    expect((await h.request("GET", `/no/such/${id}`)).status).toBe(404);
    expect((await h.request("PURGE", `/no/such/${id}`)).status).toBe(404);
    const after = await scrape();
    expect(sampleOf(after, unmatched)).toBe((sampleOf(before, unmatched) ?? 0) + 1);
    expect(sampleOf(after, other)).toBe((sampleOf(before, other) ?? 0) + 1);
    expect(after.join("\n")).not.toContain(id);
  });
});

describe("queue depth and job counts", () => {
  it("a submitted job shows in its job type's queue (BullMQ: waiting) and as queued in PostgreSQL", async () => {
    const submitted = await h.request("POST", jobsPath(), {
      key: acme.key,
      body: { jobType: "canary", input: { durationMs: 0, steps: 1 } },
    });
    expect(submitted.status).toBe(202);

    const lines = await scrape();
    // The first job of an idle queue is dispatched from its company's line at once (see fair-lines.ts);
    // its company's line orders by priority, so BullMQ holds it as plain `waiting`.
    expect(lines).toContain('kiln_queue_jobs{job_type="canary",state="waiting"} 1');
    expect(lines).toContain('kiln_queue_jobs{job_type="canary",state="prioritized"} 0');
    expect(lines).toContain('kiln_queue_jobs{job_type="canary",state="lined"} 0');
    expect(lines).toContain('kiln_queue_jobs{job_type="canary",state="active"} 0');
    for (const jobType of h.services.renderers.keys()) {
      if (jobType !== "canary")
        expect(lines).toContain(`kiln_queue_jobs{job_type="${jobType}",state="prioritized"} 0`);
    }
    expect(lines).toContain('kiln_jobs{status="queued"} 1');
    expect(lines).toContain('kiln_jobs{status="done"} 0');
    expect(lines).toContain('kiln_metrics_collector_up{collector="queues"} 1');
    expect(lines).toContain('kiln_metrics_collector_up{collector="jobs"} 1');
  });
});

describe("live connections", () => {
  const gauges = async () => {
    const lines = await scrape();
    return {
      sse: sampleOf(lines, "kiln_sse_connections"),
      listeners: sampleOf(lines, "kiln_event_hub_listeners"),
      channels: sampleOf(lines, "kiln_event_hub_channels"),
    };
  };

  it("an open SSE stream counts as a connection, a hub listener and a channel, until it closes", async () => {
    expect(await gauges()).toEqual({ sse: 0, listeners: 0, channels: 0 });
    const stream = await h.request("GET", `/api/companies/${acme.companyId}/events`, { key: acme.key });
    expect(stream.status).toBe(200);
    await waitUntil(async () => (await gauges()).sse === 1, 5_000, "kiln_sse_connections 1");
    expect(await gauges()).toEqual({ sse: 1, listeners: 1, channels: 1 });

    await stream.body?.cancel();
    await waitUntil(
      async () => JSON.stringify(await gauges()) === JSON.stringify({ sse: 0, listeners: 0, channels: 0 }),
      5_000,
      "every gauge back to 0",
    );
  });
});

describe("KILN_METRICS_TOKEN", () => {
  const token = "metrics-token-0123456789";
  const guarded = () =>
    createApp({ ...h.services, config: { ...h.services.config, KILN_METRICS_TOKEN: token } });
  const get = (authorization?: string) =>
    guarded().request("/metrics", { headers: authorization ? { authorization } : {} });

  it("without the token → 401 problem", async () => {
    for (const authorization of [
      undefined,
      "Bearer wrong-token-0123456789",
      `Bearer ${h.adminToken}`,
      `Basic ${token}`,
    ]) {
      const response = await get(authorization);
      expect(response.status, authorization).toBe(401);
      expect(response.headers.get("content-type")).toBe("application/problem+json");
      expect(await response.text()).not.toContain("kiln_");
    }
  });

  it("with `Bearer <token>` → 200 metrics", async () => {
    const lines = await metricLines(await get(`Bearer ${token}`));
    expect(lines).toContain("# TYPE kiln_queue_jobs gauge");
  });
});

describe("a dependency down", () => {
  it("Redis unreachable: the scrape still answers quickly, without queue depth, flagging the collector", async () => {
    redis.cut();
    try {
      const started = Date.now();
      const lines = await scrape();
      expect(Date.now() - started).toBeLessThan(3_000);
      expect(lines).toContain('kiln_metrics_collector_up{collector="queues"} 0');
      expect(lines.filter((line) => line.startsWith("kiln_queue_jobs{"))).toEqual([]);
      // PostgreSQL is still up: its numbers are still there.
      expect(lines).toContain('kiln_jobs{status="queued"} 1');
    } finally {
      redis.restore();
    }
    await waitUntil(
      async () => (await scrape()).includes('kiln_metrics_collector_up{collector="queues"} 1'),
      15_000,
      "queue metrics back",
    );
  });
});
