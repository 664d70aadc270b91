import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestHarness, type TestHarness } from "../../src/testing/test-harness.ts";
import { expectProblem } from "./support.ts";

let h: TestHarness;

beforeAll(async () => {
  h = await createTestHarness();
});
afterAll(() => h?.close());

describe("GET /healthz and GET /readyz", () => {
  it("/healthz answers 200 without credentials", async () => {
    const response = await h.request("GET", "/healthz");
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: "ok" });
  });

  it("/readyz answers 200 naming each dependency as up", async () => {
    const response = await h.request("GET", "/readyz");
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toMatch(/^application\/json/);
    expect(await response.json()).toEqual({ status: "ready", checks: { database: "up", redis: "up" } });
  });

  it("/readyz answers 503 naming what is down", async () => {
    // The route's answer to a failed check; the checks themselves run against the real servers above.
    const real = h.services.checkDependencies;
    h.services.checkDependencies = async () => ({ database: true, redis: false });
    try {
      const response = await h.request("GET", "/readyz");
      expect(response.status).toBe(503);
      expect(await response.json()).toEqual({
        status: "unavailable",
        checks: { database: "up", redis: "down" },
        detail: expect.stringContaining("redis"),
      });
    } finally {
      h.services.checkDependencies = real;
    }
  });
});

describe("GET /api/job-types", () => {
  it("lists each registered job type with a description and a JSON Schema of its input", async () => {
    const response = await h.request("GET", "/api/job-types");
    expect(response.status).toBe(200);
    const types = (await response.json()) as {
      jobType: string;
      description: string;
      inputSchema: Record<string, unknown>;
    }[];
    const names = types.map((type) => type.jobType);
    expect(names).toEqual(expect.arrayContaining(["canary", "image.card", "chart.vega"]));
    expect(new Set(names).size).toBe(names.length);
    expect(names.sort()).toEqual([...h.services.renderers.keys()].sort());
    for (const type of types) {
      expect(Object.keys(type).sort()).toEqual(["description", "inputSchema", "jobType"]);
      expect(type.description.length).toBeGreaterThan(0);
      expect(type.inputSchema).toMatchObject({ type: "object" });
      expect(type.inputSchema.properties).toEqual(expect.any(Object));
    }
  });

  it("describes canary's input exactly as the submit route validates it", async () => {
    const types = (await (await h.request("GET", "/api/job-types")).json()) as {
      jobType: string;
      inputSchema: {
        properties: Record<string, { type?: string; minimum?: number; maximum?: number }>;
        required: string[];
      };
    }[];
    const canary = types.find((type) => type.jobType === "canary")!;
    expect(canary.inputSchema.required.sort()).toEqual(["durationMs", "steps"]);
    expect(canary.inputSchema.properties.durationMs).toMatchObject({
      type: "integer",
      minimum: 0,
      maximum: 600_000,
    });
    expect(canary.inputSchema.properties.steps).toMatchObject({ type: "integer", minimum: 1, maximum: 1000 });
    expect(canary.inputSchema.properties.failTimes).toMatchObject({ type: "integer" });
  });
});

describe("GET /openapi.json", () => {
  const contractRoutes = [
    ["post", "/api/companies"],
    ["post", "/api/companies/{companyId}/api-keys"],
    ["delete", "/api/companies/{companyId}/api-keys/{keyId}"],
    ["post", "/api/companies/{companyId}/content-jobs"],
    ["get", "/api/companies/{companyId}/content-jobs"],
    ["get", "/api/companies/{companyId}/content-jobs/{jobId}"],
    ["get", "/api/companies/{companyId}/content-jobs/{jobId}/events"],
    ["post", "/api/companies/{companyId}/content-jobs/{jobId}/cancel"],
    ["post", "/api/companies/{companyId}/content-jobs/{jobId}/retry"],
    ["get", "/api/companies/{companyId}/content-jobs/{jobId}/artifacts/{name}"],
    ["get", "/api/companies/{companyId}/events"],
    ["post", "/api/companies/{companyId}/stream-tokens"],
    ["get", "/api/job-types"],
    ["get", "/healthz"],
    ["get", "/readyz"],
    ["get", "/metrics"],
  ] as const;

  it("is an OpenAPI 3.1 document listing every route of the contract", async () => {
    const response = await h.request("GET", "/openapi.json");
    expect(response.status).toBe(200);
    const doc = (await response.json()) as {
      openapi: string;
      info: { title: string; version: string };
      paths: Record<string, Record<string, { responses: Record<string, unknown> }>>;
    };
    expect(doc.openapi).toMatch(/^3\.1\./);
    expect(doc.info).toMatchObject({ title: "Kiln", version: expect.any(String) });
    for (const [method, path] of contractRoutes) {
      expect(doc.paths[path]?.[method], `${method.toUpperCase()} ${path}`).toBeDefined();
    }
    expect(Object.keys(doc.paths[contractRoutes[3][1]]!.post!.responses)).toEqual(
      expect.arrayContaining(["202", "400", "401", "403", "409", "413", "415"]),
    );
  });

  it("describes error answers as application/problem+json", async () => {
    const doc = (await (await h.request("GET", "/openapi.json")).json()) as {
      paths: Record<
        string,
        Record<string, { responses: Record<string, { content?: Record<string, unknown> }> }>
      >;
    };
    const notFound = doc.paths["/api/companies/{companyId}/content-jobs/{jobId}"]!.get!.responses["404"]!;
    expect(Object.keys(notFound.content ?? {})).toEqual(["application/problem+json"]);
  });

  it("GET /docs serves the interactive documentation", async () => {
    const response = await h.request("GET", "/docs");
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toMatch(/^text\/html/);
  });
});

describe("unknown routes", () => {
  it.each([
    ["GET", "/nope"],
    ["GET", "/api/companies"],
    ["POST", "/api/job-types"],
    ["GET", "/api/v2/whatever"],
  ])("%s %s → 404 problem+json", async (method, path) => {
    const problem = await expectProblem(await h.request(method, path), 404);
    expect(problem.title).toBe("Not found");
  });
});
