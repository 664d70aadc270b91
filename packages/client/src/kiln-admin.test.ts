import { createTestHarness, type TestHarness } from "@kiln/api/testing";
import { afterAll, beforeAll, expect, it } from "vitest";
import { KilnApiError } from "./errors.ts";
import { createKilnAdmin } from "./kiln-admin.ts";
import { createKilnClient } from "./kiln-client.ts";

let h: TestHarness;
let baseUrl: string;

beforeAll(async () => {
  h = await createTestHarness();
  baseUrl = (await h.serve()).baseUrl;
}, 120_000);
afterAll(() => h?.close());

it("creates a company and a key that works; a revoked key stops working at once", async () => {
  const admin = createKilnAdmin({ baseUrl, adminToken: h.adminToken });
  const company = await admin.createCompany("Globex");
  expect(company).toMatchObject({ id: expect.any(String), name: "Globex", createdAt: expect.any(String) });

  const created = await admin.createApiKey(company.id, "ci");
  expect(created).toMatchObject({ id: expect.any(String), name: "ci", prefix: expect.any(String) });
  expect(created.key.startsWith(created.prefix)).toBe(true);

  const client = createKilnClient({ baseUrl, apiKey: created.key, companyId: company.id });
  expect(await client.listJobs()).toEqual({ items: [], nextCursor: null });

  await admin.revokeApiKey(company.id, created.id);
  await expect(client.listJobs()).rejects.toMatchObject({ status: 401 });
  await expect(admin.revokeApiKey(company.id, created.id)).rejects.toMatchObject({ status: 404 });
});

it("a wrong admin token is a 401 KilnApiError", async () => {
  const intruder = createKilnAdmin({ baseUrl, adminToken: "not-the-token" });
  const error = await intruder.createCompany("Nope").catch((reason: unknown) => reason);
  expect(error).toBeInstanceOf(KilnApiError);
  expect(error).toMatchObject({ status: 401, code: "unauthorized" });
});

it("a blank company name is a 400 with its field error", async () => {
  const admin = createKilnAdmin({ baseUrl, adminToken: h.adminToken });
  const error = (await admin.createCompany("  ").catch((reason: unknown) => reason)) as KilnApiError;
  expect(error.status).toBe(400);
  expect(error.errors.map((field) => field.path)).toEqual(["name"]);
});
