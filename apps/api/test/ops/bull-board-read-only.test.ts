import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestHarness, type TestHarness } from "../../src/testing/test-harness.ts";
import { basicAuth } from "./support.ts";

let h: TestHarness;
let acme: { companyId: string; key: string };
let jobId: string;

beforeAll(async () => {
  h = await createTestHarness();
  acme = await h.createCompany("Acme");
  const submitted = await h.request("POST", `/api/companies/${acme.companyId}/content-jobs`, {
    key: acme.key,
    body: { jobType: "canary", input: { durationMs: 0, steps: 1 } },
  });
  expect(submitted.status).toBe(202);
  ({ jobId } = (await submitted.json()) as { jobId: string });
});
afterAll(() => h?.close());

/** What the board's own page sends: Basic credentials, same origin. */
const fromBoard = (method: string, path: string) =>
  h.request(method, `/admin/queues${path}`, {
    headers: { authorization: basicAuth(h.adminToken), "sec-fetch-site": "same-origin" },
  });
const canary = () => h.services.queues.queue("canary");

describe("Bull Board is read-only by default", () => {
  it("shows the queues, each flagged read-only so the UI offers no action", async () => {
    const response = await fromBoard("GET", "/api/queues");
    expect(response.status).toBe(200);
    const { queues } = (await response.json()) as {
      queues: { name: string; readOnlyMode: boolean; counts: Record<string, number> }[];
    };
    expect(queues.length).toBe(h.services.renderers.size);
    for (const queue of queues) expect(queue.readOnlyMode, queue.name).toBe(true);
    expect(queues.find((queue) => queue.name === "jobs.canary")?.counts).toMatchObject({ waiting: 1 });
  });

  it.each([
    ["PUT", "/api/queues/jobs.canary/pause"],
    ["PUT", "/api/queues/pause"],
    ["PUT", "/api/queues/jobs.canary/obliterate"],
    ["PUT", "/api/queues/jobs.canary/empty"],
    ["PUT", "/api/queues/jobs.canary/clean/prioritized"],
    ["PUT", "/api/queues/jobs.canary/promote"],
    ["POST", "/api/queues/jobs.canary/add"],
  ])("%s %s → 403 problem, and the queue is unchanged", async (method, path) => {
    const response = await fromBoard(method, path);
    expect(response.status).toBe(403);
    expect(response.headers.get("content-type")).toBe("application/problem+json");
    expect(((await response.json()) as { detail: string }).detail).toMatch(/KILN_BULL_BOARD_READONLY=false/);
    expect(await canary().isPaused()).toBe(false);
    expect(await canary().getJobCounts("waiting")).toEqual({ waiting: 1 });
  });

  it("a job cannot be removed, retried or promoted", async () => {
    for (const action of ["clean", "retry", "promote"]) {
      expect((await fromBoard("PUT", `/api/queues/jobs.canary/${jobId}/${action}`)).status, action).toBe(403);
    }
    expect((await fromBoard("PATCH", `/api/queues/jobs.canary/${jobId}/update-data`)).status).toBe(403);
    expect(await canary().getJob(jobId)).toBeDefined();
    expect(await canary().getJobState(jobId)).toBe("waiting");
  });

  it("a job can still be looked at", async () => {
    const response = await fromBoard("GET", `/api/queues/jobs.canary/${jobId}`);
    expect(response.status).toBe(200);
  });
});

describe("framing", () => {
  it("the board, its API, its assets and its 401 forbid being framed", async () => {
    const html = await (await fromBoard("GET", "")).text();
    const script = /<script[^>]+src="([^"]+\.js)"/.exec(html)?.[1];
    expect(script).toBeDefined();
    const responses = [
      await fromBoard("GET", ""),
      await fromBoard("GET", "/api/queues"),
      await fromBoard(
        "GET",
        new URL(script!, "http://kiln/admin/queues/").pathname.slice("/admin/queues".length),
      ),
      await fromBoard("PUT", "/api/queues/jobs.canary/pause"),
      await h.request("GET", "/admin/queues"),
    ];
    expect(responses.map((response) => response.status)).toEqual([200, 200, 200, 403, 401]);
    for (const response of responses) {
      expect(response.headers.get("x-frame-options")).toBe("DENY");
      expect(response.headers.get("content-security-policy")).toMatch(/frame-ancestors 'none'/);
    }
  });
});

describe("GET /readyz and a paused queue", () => {
  it("a paused job-type queue → degraded, naming the job type (200: a fleet-wide pause must not empty the load balancer); resumed → ready", async () => {
    await canary().pause();
    try {
      const response = await h.request("GET", "/readyz");
      expect(response.status).toBe(200);
      expect(await response.json()).toEqual({
        status: "degraded",
        checks: { database: "up", redis: "up" },
        pausedJobTypes: ["canary"],
        detail: expect.stringContaining("canary"),
      });
    } finally {
      await canary().resume();
    }
    const response = await h.request("GET", "/readyz");
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: "ready", checks: { database: "up", redis: "up" } });
  });
});
