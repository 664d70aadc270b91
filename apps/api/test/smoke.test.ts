import { afterAll, beforeAll, expect, it } from "vitest";
import { createTestHarness, type TestHarness } from "../src/testing/test-harness.ts";

let h: TestHarness;
beforeAll(async () => {
  h = await createTestHarness();
});
afterAll(() => h?.close());

it("smoke", async () => {
  const { companyId, key } = await h.createCompany();
  const res = await h.request("POST", `/api/companies/${companyId}/content-jobs`, {
    key,
    body: { jobType: "canary", input: { durationMs: 10, steps: 2 } },
  });
  const body = await res.json();
  console.log(res.status, body);
  expect(res.status).toBe(202);
  const doc = await (await h.request("GET", "/openapi.json")).json();
  console.log(Object.keys(doc.paths), Object.keys(doc.components.schemas));
});
