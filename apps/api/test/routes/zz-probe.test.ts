import { afterAll, beforeAll, it } from "vitest";
import { createTestHarness, type TestHarness } from "../../src/testing/test-harness.ts";
let h: TestHarness;
beforeAll(async () => { h = await createTestHarness(); });
afterAll(() => h?.close());
it("probe", async () => {
  const c = await h.createCompany();
  for (const f of [
    () => h.services.companies.createCompany("a\u0000b"),
    () => h.services.jobs.listJobs(c.companyId, { limit: 5, jobType: "\u0000" }),
    () => h.services.jobs.createJob({ companyId: c.companyId, jobType: "x", input: { t: "a\u0000" }, priority: 0, maxAttempts: 1 }),
    () => h.services.jobs.createJob({ companyId: c.companyId, jobType: "x", input: { t: "\ud800" }, priority: 0, maxAttempts: 1 }),
    () => h.services.jobs.createJob({ companyId: c.companyId, jobType: "x", input: {}, sourceTaskId: "\ud800", priority: 0, maxAttempts: 1 }),
  ]) {
    try { await f(); console.log("ok"); } catch (e) { const err = e as any; console.log(err.constructor.name, err.name, err.code, JSON.stringify(err.meta), String(err.message).slice(0, 300), err.cause?.constructor?.name, err.cause?.code); }
  }
});
