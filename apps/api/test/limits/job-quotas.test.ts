import { waitUntil } from "@kiln/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestHarness, type TestHarness } from "../../src/testing/test-harness.ts";
import { expectProblem, jobsPath, listJobs, submitCanary, type TestCompany } from "../routes/support.ts";
import { setLimits } from "./support.ts";

let h: TestHarness;
beforeAll(async () => {
  h = await createTestHarness();
});
afterAll(() => h?.close());

describe("queued + running jobs per company (maxActiveJobs)", () => {
  it("refuses a submit beyond the quota with 429 quota_exceeded, creating nothing; a raised quota applies at once", async () => {
    const acme: TestCompany = await h.createCompany("Acme");
    await setLimits(h, acme.companyId, { maxActiveJobs: 2 });
    await submitCanary(h, acme);
    await submitCanary(h, acme);
    const refused = await h.request("POST", jobsPath(acme.companyId), {
      key: acme.key,
      body: { jobType: "canary", input: { durationMs: 0, steps: 1 } },
    });
    const problem = await expectProblem(refused, 429);
    expect(problem.type).toMatch(/quota-exceeded/);
    expect(problem.detail).toMatch(/at its limit of 2/);
    expect(await listJobs(h, acme)).toHaveLength(2);

    await setLimits(h, acme.companyId, { maxActiveJobs: 3 });
    await submitCanary(h, acme);
    expect(await listJobs(h, acme)).toHaveLength(3);
  });
});

describe("running jobs per job type across the fleet (maxRunningPerJobType)", () => {
  /** Samples how many of the company's jobs run at once until every one is done; the most seen. */
  const mostRunningUntilDone = async (company: TestCompany, jobIds: string[]) => {
    let most = 0;
    await waitUntil(
      async () => {
        const jobs = await Promise.all(
          jobIds.map((id) => h.services.jobs.getJobSummary(company.companyId, id)),
        );
        most = Math.max(most, jobs.filter((job) => job?.status === "running").length);
        return jobs.every((job) => job?.status === "done");
      },
      60_000,
      "every job done",
    );
    return most;
  };

  it("never runs more than the cap at once, on two workers with four slots; a changed cap applies to waiting jobs", async () => {
    await h.runWorker({ WORKER_CONCURRENCY: "2" });
    await h.runWorker({ WORKER_CONCURRENCY: "2" });
    const acme = await h.createCompany("Capped");
    await setLimits(h, acme.companyId, { maxRunningPerJobType: { canary: 1 } });
    const slow = { input: { durationMs: 300, steps: 3 } };
    const first = await Promise.all(Array.from({ length: 6 }, () => submitCanary(h, acme, slow)));
    expect(await mostRunningUntilDone(acme, first)).toBe(1);

    await setLimits(h, acme.companyId, { maxRunningPerJobType: 2 });
    const second = await Promise.all(Array.from({ length: 6 }, () => submitCanary(h, acme, slow)));
    expect(await mostRunningUntilDone(acme, second)).toBe(2);
  }, 120_000);
});
