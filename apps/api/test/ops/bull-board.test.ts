import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestHarness, type TestHarness } from "../../src/testing/test-harness.ts";
import { basicAuth } from "./support.ts";

let h: TestHarness;
let acme: { companyId: string; key: string };

beforeAll(async () => {
  // The board acts on queues here (pause, resume); its read-only default has tests of its own.
  h = await createTestHarness({ env: { KILN_BULL_BOARD_READONLY: "false" } });
  acme = await h.createCompany("Acme");
});
afterAll(() => h?.close());

const asAdmin = (method: string, path: string, headers: Record<string, string> = {}) =>
  h.request(method, path, { headers: { authorization: basicAuth(h.adminToken), ...headers } });

interface BoardQueues {
  queues: { name: string; counts: Record<string, number>; isPaused: boolean }[];
}
const boardQueues = async () => {
  const response = await asAdmin("GET", "/admin/queues/api/queues");
  expect(response.status).toBe(200);
  return (await response.json()) as BoardQueues;
};

describe("/admin/queues authentication", () => {
  it("without credentials → 401 problem with `WWW-Authenticate: Basic`, so a browser asks", async () => {
    for (const path of [
      "/admin/queues",
      "/admin/queues/api/queues",
      "/admin/queues/static/favicon-32x32.png",
    ]) {
      const response = await h.request("GET", path);
      expect(response.status, path).toBe(401);
      expect(response.headers.get("www-authenticate")).toBe('Basic realm="Kiln"');
      expect(response.headers.get("content-type")).toBe("application/problem+json");
    }
  });

  it("a wrong password, a company key or the admin token as user name → 401", async () => {
    for (const authorization of [
      basicAuth("not-the-admin-token"),
      `Bearer ${acme.key}`,
      basicAuth(acme.key),
      `Basic ${Buffer.from(`${h.adminToken}:`).toString("base64")}`,
      `Basic ${Buffer.from(h.adminToken).toString("base64")}`,
    ]) {
      const response = await h.request("GET", "/admin/queues", { headers: { authorization } });
      expect(response.status, authorization).toBe(401);
    }
  });

  it("the admin token as Basic password (any user name) or as Bearer → 200 Bull Board page", async () => {
    for (const authorization of [
      basicAuth(h.adminToken),
      basicAuth(h.adminToken, ""),
      `Bearer ${h.adminToken}`,
    ]) {
      const response = await h.request("GET", "/admin/queues", { headers: { authorization } });
      expect(response.status, authorization).toBe(200);
      expect(response.headers.get("content-type")).toMatch(/^text\/html/);
      const html = await response.text();
      expect(html).toContain('<base href="/admin/queues/"');
      expect(html).toContain("Kiln queues");
    }
  });

  it("serves the page's scripts from under /admin/queues", async () => {
    const html = await (await asAdmin("GET", "/admin/queues")).text();
    const script = /<script[^>]+src="([^"]+\.js)"/.exec(html)?.[1];
    expect(script).toBeDefined();
    const response = await asAdmin("GET", new URL(script!, "http://kiln/admin/queues/").pathname);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toMatch(/javascript/);
  });
});

describe("/admin/queues API", () => {
  it("lists one queue per registered job type, with a submitted job counted", async () => {
    const submitted = await h.request("POST", `/api/companies/${acme.companyId}/content-jobs`, {
      key: acme.key,
      body: { jobType: "canary", input: { durationMs: 0, steps: 1 } },
    });
    expect(submitted.status).toBe(202);

    const { queues } = await boardQueues();
    expect(queues.map((queue) => queue.name).sort()).toEqual(
      [...h.services.renderers.keys()].map((type) => `jobs.${type}`).sort(),
    );
    expect(queues.find((queue) => queue.name === "jobs.canary")?.counts).toMatchObject({ waiting: 1 });
  });

  it("a Basic-authenticated change from another site → 403; from the board's own page it applies", async () => {
    const pause = "/admin/queues/api/queues/jobs.canary/pause";
    const crossSite: Record<string, string>[] = [
      { "sec-fetch-site": "cross-site" },
      { origin: "https://evil.example" },
    ];
    for (const headers of crossSite) {
      const response = await asAdmin("PUT", pause, headers);
      expect(response.status, JSON.stringify(headers)).toBe(403);
    }
    expect((await boardQueues()).queues.find((queue) => queue.name === "jobs.canary")?.isPaused).toBe(false);

    expect((await asAdmin("PUT", pause, { "sec-fetch-site": "same-origin" })).status).toBeLessThan(300);
    expect((await boardQueues()).queues.find((queue) => queue.name === "jobs.canary")?.isPaused).toBe(true);
    expect(
      (await asAdmin("PUT", "/admin/queues/api/queues/jobs.canary/resume", { origin: "http://localhost" }))
        .status,
    ).toBeLessThan(300);
    expect((await boardQueues()).queues.find((queue) => queue.name === "jobs.canary")?.isPaused).toBe(false);
  });
});
