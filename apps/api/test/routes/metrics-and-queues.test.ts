import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestHarness, type TestHarness } from "../../src/testing/test-harness.ts";
import { expectProblem, submitCanary, type TestCompany } from "./support.ts";

let h: TestHarness;
let acme: TestCompany;

beforeAll(async () => {
  h = await createTestHarness();
  acme = await h.createCompany("Acme");
  await submitCanary(h, acme);
});
afterAll(() => h?.close());

describe("GET /metrics", () => {
  it("200 Prometheus text: HTTP requests, queue depth per state, SSE connections", async () => {
    const response = await h.request("GET", "/metrics");
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toMatch(/^text\/plain/);
    const text = await response.text();
    expect(text).toMatch(/^# HELP /m);
    expect(text).toMatch(/^# TYPE \S+ (counter|gauge|histogram|summary)$/m);
    expect(text).toMatch(/^kiln_http_requests_total\{/m);
    expect(text).toMatch(/^kiln_queue_jobs\{[^}]*state="[a-z]+"/m);
    expect(text).toMatch(/^kiln_sse_connections \d+/m);
  });
});

describe("/admin/queues (admin)", () => {
  it("without credentials → 401 problem asking for Basic auth", async () => {
    const response = await h.request("GET", "/admin/queues");
    expect(response.headers.get("www-authenticate")).toMatch(/^Basic/);
    await expectProblem(response, 401);
  });

  it("a company key → 401", async () => {
    await expectProblem(await h.request("GET", "/admin/queues", { key: acme.key }), 401);
  });

  it("the admin token as Bearer, or as the Basic password → 200 Bull Board", async () => {
    const bearer = await h.request("GET", "/admin/queues", { key: h.adminToken });
    expect(bearer.status).toBe(200);
    expect(bearer.headers.get("content-type")).toMatch(/^text\/html/);
    const basic = await h.request("GET", "/admin/queues", {
      headers: { authorization: `Basic ${Buffer.from(`ops:${h.adminToken}`).toString("base64")}` },
    });
    expect(basic.status).toBe(200);
  });
});
