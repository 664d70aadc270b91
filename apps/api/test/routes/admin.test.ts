import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestHarness, type TestHarness } from "../../src/testing/test-harness.ts";
import { expectProblem, jobsPath, missingId, type TestCompany } from "./support.ts";

let h: TestHarness;
let acme: TestCompany;

beforeAll(async () => {
  h = await createTestHarness();
  acme = await h.createCompany("Acme");
});
afterAll(() => h?.close());

const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

describe("POST /api/companies (admin)", () => {
  it("201 {id, name, createdAt}", async () => {
    const before = Date.now();
    const response = await h.admin("POST", "/api/companies", { name: "  Globex  " });
    expect(response.status).toBe(201);
    const company = (await response.json()) as Record<string, string>;
    expect(Object.keys(company).sort()).toEqual(["createdAt", "id", "name"]);
    expect(company.id).toMatch(uuid);
    expect(company.name).toBe("Globex");
    expect(Date.parse(company.createdAt!)).toBeGreaterThanOrEqual(before - 1000);
  });

  it.each([
    ["no name", {}],
    ["an empty name", { name: "" }],
    ["a whitespace-only name", { name: "   " }],
    ["a name that is not a string", { name: 42 }],
  ])("400 with %s, naming the field", async (_, body) => {
    const problem = await expectProblem(await h.admin("POST", "/api/companies", body), 400);
    expect(problem.errors?.map((error) => error.path)).toEqual(["name"]);
  });

  it("400, not 500, for a name holding a NUL character", async () => {
    await expectProblem(await h.admin("POST", "/api/companies", { name: "a\u0000b" }), 400);
    await expectProblem(
      await h.admin("POST", `/api/companies/${acme.companyId}/api-keys`, { name: "a\u0000b" }),
      400,
    );
  });

  it("400 for malformed JSON, 415 for a body that is not JSON", async () => {
    await expectProblem(await h.request("POST", "/api/companies", { key: h.adminToken, body: "{nope" }), 400);
    const response = await h.request("POST", "/api/companies", {
      key: h.adminToken,
      body: "name=x",
      headers: { "content-type": "application/x-www-form-urlencoded" },
    });
    expect([400, 415]).toContain(response.status);
    await expectProblem(response, response.status);
  });

  it("401 without the admin token; a company key is not the admin token", async () => {
    await expectProblem(await h.request("POST", "/api/companies", { body: { name: "X" } }), 401);
    await expectProblem(
      await h.request("POST", "/api/companies", { key: acme.key, body: { name: "X" } }),
      401,
    );
    await expectProblem(
      await h.request("POST", "/api/companies", { key: `${h.adminToken}x`, body: { name: "X" } }),
      401,
    );
  });
});

describe("POST /api/companies/:companyId/api-keys (admin)", () => {
  it("201 {id, name, prefix, key}; the key works and only its prefix is kept in clear", async () => {
    const response = await h.admin("POST", `/api/companies/${acme.companyId}/api-keys`, { name: "ci" });
    expect(response.status).toBe(201);
    const created = (await response.json()) as { id: string; name: string; prefix: string; key: string };
    expect(created).toMatchObject({
      id: expect.stringMatching(uuid),
      name: "ci",
      prefix: expect.any(String),
    });
    expect(created.key.startsWith(created.prefix)).toBe(true);
    expect(created.key.length).toBeGreaterThan(created.prefix.length + 20);
    const list = await h.request("GET", jobsPath(acme.companyId), { key: created.key });
    expect(list.status).toBe(200);
  });

  it("404 for an unknown or malformed company id", async () => {
    await expectProblem(await h.admin("POST", `/api/companies/${missingId}/api-keys`, { name: "x" }), 404);
    await expectProblem(await h.admin("POST", "/api/companies/not-a-uuid/api-keys", { name: "x" }), 404);
  });

  it("400 without a name", async () => {
    const problem = await expectProblem(
      await h.admin("POST", `/api/companies/${acme.companyId}/api-keys`, {}),
      400,
    );
    expect(problem.errors?.map((error) => error.path)).toEqual(["name"]);
  });

  it("401 with a company key, even that company's own", async () => {
    await expectProblem(
      await h.request("POST", `/api/companies/${acme.companyId}/api-keys`, {
        key: acme.key,
        body: { name: "x" },
      }),
      401,
    );
  });
});

describe("DELETE /api/companies/:companyId/api-keys/:keyId (admin)", () => {
  it("204, the key stops working at once; revoking it again is a 404", async () => {
    const victim = await h.createCompany("Initech");
    expect((await h.request("GET", jobsPath(victim.companyId), { key: victim.key })).status).toBe(200);

    const revoked = await h.admin("DELETE", `/api/companies/${victim.companyId}/api-keys/${victim.keyId}`);
    expect(revoked.status).toBe(204);
    expect(await revoked.text()).toBe("");

    await expectProblem(await h.request("GET", jobsPath(victim.companyId), { key: victim.key }), 401);
    await expectProblem(
      await h.admin("DELETE", `/api/companies/${victim.companyId}/api-keys/${victim.keyId}`),
      404,
    );
  });

  it("revoking one key leaves the company's other keys working", async () => {
    const company = await h.createCompany("Umbrella");
    const other = (await (
      await h.admin("POST", `/api/companies/${company.companyId}/api-keys`, { name: "second" })
    ).json()) as {
      key: string;
    };
    expect(
      (await h.admin("DELETE", `/api/companies/${company.companyId}/api-keys/${company.keyId}`)).status,
    ).toBe(204);
    expect((await h.request("GET", jobsPath(company.companyId), { key: other.key })).status).toBe(200);
  });

  it("404 for a key of another company, an unknown key and malformed ids", async () => {
    const other = await h.createCompany("Hooli");
    await expectProblem(
      await h.admin("DELETE", `/api/companies/${acme.companyId}/api-keys/${other.keyId}`),
      404,
    );
    expect((await h.request("GET", jobsPath(other.companyId), { key: other.key })).status).toBe(200);
    await expectProblem(
      await h.admin("DELETE", `/api/companies/${acme.companyId}/api-keys/${missingId}`),
      404,
    );
    await expectProblem(await h.admin("DELETE", `/api/companies/${acme.companyId}/api-keys/nope`), 404);
    await expectProblem(await h.admin("DELETE", `/api/companies/nope/api-keys/${acme.keyId}`), 404);
  });

  it("401 with a company key, even for its own key", async () => {
    await expectProblem(
      await h.request("DELETE", `/api/companies/${acme.companyId}/api-keys/${acme.keyId}`, { key: acme.key }),
      401,
    );
    expect((await h.request("GET", jobsPath(acme.companyId), { key: acme.key })).status).toBe(200);
  });
});
