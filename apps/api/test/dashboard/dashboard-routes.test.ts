import { createRendererRegistry } from "@kiln/renderers";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { dashboardCsp } from "../../src/dashboard/dashboard-csp.ts";
import { createTestHarness, type TestHarness } from "../../src/testing/test-harness.ts";
import { canaryInput, expectProblem, jobsPath } from "../routes/support.ts";

let h: TestHarness;

beforeAll(async () => {
  h = await createTestHarness();
});
afterAll(() => h?.close());

describe("GET /dashboard", () => {
  it("serves the page, its script and its stylesheet from the API, each under the strict CSP", async () => {
    const page = await h.request("GET", "/dashboard");
    expect(page.status).toBe(200);
    expect(page.headers.get("content-type")).toMatch(/^text\/html/);
    const html = await page.text();
    expect(html).toContain('<script type="module" src="/dashboard/dashboard.js"></script>');
    // Nothing inline and nothing from another origin.
    expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
    expect(html).not.toMatch(/(src|href)="(https?:)?\/\//);

    for (const [path, type] of [
      ["/dashboard", /^text\/html/],
      ["/dashboard/dashboard.js", /^text\/javascript/],
      ["/dashboard/dashboard.css", /^text\/css/],
    ] as const) {
      const response = await h.request("GET", path);
      expect(response.status, path).toBe(200);
      expect(response.headers.get("content-type"), path).toMatch(type);
      expect(response.headers.get("content-security-policy"), path).toBe(dashboardCsp);
      expect(response.headers.get("x-content-type-options"), path).toBe("nosniff");
    }
  });

  it("the CSP forbids inline script, other origins and framing", () => {
    expect(dashboardCsp).toContain("default-src 'self'");
    expect(dashboardCsp).toContain("script-src 'self';");
    expect(dashboardCsp).not.toContain("unsafe-eval");
    // Inline styles only, for HTML artifacts previewed from blob: URLs (they inherit this policy).
    expect(dashboardCsp.match(/unsafe-inline/g)).toHaveLength(1);
    expect(dashboardCsp).toContain("style-src 'self' 'unsafe-inline'");
    expect(dashboardCsp).toContain("frame-ancestors 'none'");
  });

  it("the script is one bundled ES module that requests nothing from elsewhere", async () => {
    const script = await (await h.request("GET", "/dashboard/dashboard.js")).text();
    expect(script.length).toBeGreaterThan(1_000);
    expect(script.length).toBeLessThan(60_000);
    expect(script).not.toMatch(/\bimport\s*[("']|from\s*["']/);
    expect(script).not.toMatch(/https?:\/\/(?!www\.w3\.org)/);
  });
});

describe("GET /api/job-types examples", () => {
  it("offers each type's sample input as its schema's example, and each example passes that type's schema", async () => {
    const types = (await (await h.request("GET", "/api/job-types")).json()) as {
      jobType: string;
      inputSchema: { examples?: unknown[] };
    }[];
    const renderers = createRendererRegistry();
    expect(types.map((type) => type.jobType).sort()).toEqual([...renderers.keys()].sort());
    for (const type of types) {
      expect(type.inputSchema.examples, type.jobType).toHaveLength(1);
      const parsed = renderers.get(type.jobType)!.inputSchema.safeParse(type.inputSchema.examples![0]);
      expect(parsed.success, type.jobType).toBe(true);
    }
  });
});

describe("GET /api/admin/queue-health", () => {
  it("is for the admin token only", async () => {
    await expectProblem(await h.request("GET", "/api/admin/queue-health"), 401);
    const { key } = await h.createCompany("Health");
    await expectProblem(await h.request("GET", "/api/admin/queue-health", { key }), 401);
  });

  it("reports depth and the oldest waiting age per job type", async () => {
    const { companyId, key } = await h.createCompany("Queued");
    const before = Date.now();
    for (let i = 0; i < 2; i++) {
      const submitted = await h.request("POST", jobsPath(companyId), {
        key,
        body: { jobType: "canary", input: canaryInput },
      });
      expect(submitted.status).toBe(202);
    }
    const response = await h.admin("GET", "/api/admin/queue-health");
    expect(response.status).toBe(200);
    const health = (await response.json()) as {
      bullBoard: string;
      jobTypes: { jobType: string; waiting: number; active: number; oldestWaitingMs: number | null }[];
    };
    expect(health.bullBoard).toBe("/admin/queues");
    const canary = health.jobTypes.find((row) => row.jobType === "canary");
    // The first is ready in BullMQ, the second waits in its company's line (nothing serves the queue).
    expect(canary).toMatchObject({ waiting: 2, lined: 1, active: 0 });
    expect(canary?.oldestWaitingMs).toBeGreaterThanOrEqual(0);
    expect(canary?.oldestWaitingMs).toBeLessThanOrEqual(Date.now() - before + 1_000);
    const pdf = health.jobTypes.find((row) => row.jobType === "document.pdf");
    expect(pdf).toMatchObject({ waiting: 0, oldestWaitingMs: null });
  });
});
