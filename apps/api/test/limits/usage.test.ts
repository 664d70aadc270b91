import { waitUntil } from "@kiln/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestHarness, type TestHarness } from "../../src/testing/test-harness.ts";
import { expectProblem, finishJob, missingId, submitCanary, type TestCompany } from "../routes/support.ts";
import { setLimits, usagePath } from "./support.ts";

let h: TestHarness;
let acme: TestCompany;
let globex: TestCompany;

beforeAll(async () => {
  h = await createTestHarness({
    env: { KILN_LIMIT_SUBMITS_PER_SECOND_PER_KEY: "50", KILN_LIMIT_READS_PER_SECOND_PER_KEY: "500" },
  });
  [acme, globex] = [await h.createCompany("Acme"), await h.createCompany("Globex")];
});
afterAll(() => h?.close());

interface Usage {
  companyId: string;
  limits: Record<string, unknown>;
  usage: Record<string, unknown>;
  rateLimits: {
    policy: string;
    quota: number;
    windowSeconds: number;
    remaining: number;
    resetSeconds: number;
  }[];
}

const usageOf = async (company: TestCompany, key: string | undefined = company.key) => {
  const response = await h.request("GET", usagePath(company.companyId), { key });
  expect(response.status, await response.clone().text()).toBe(200);
  return (await response.json()) as Usage;
};

describe("GET /api/companies/:companyId/usage", () => {
  it("a company reads its limits and what it uses: jobs, running per type, streams, stored bytes, rate limits", async () => {
    await setLimits(h, acme.companyId, { maxOpenStreams: 5 });
    const [done, running] = [await submitCanary(h, acme), await submitCanary(h, acme)];
    await submitCanary(h, acme);
    await finishJob(h, acme.companyId, done, "canary.json", "x".repeat(123));
    expect((await h.services.engine.startAttempt(running)).kind).toBe("started");
    const stream = await h.request("GET", `/api/companies/${acme.companyId}/events`, { key: acme.key });
    expect(stream.status).toBe(200);

    const { companyId, limits, usage, rateLimits } = await usageOf(acme);
    expect(companyId).toBe(acme.companyId);
    expect(limits).toMatchObject({
      maxOpenStreams: 5,
      submitsPerSecondPerKey: 50,
      maxArtifactBytes: 10 * 1024 ** 3,
    });
    expect(usage).toEqual({
      activeJobs: 2,
      queuedJobs: 1,
      runningJobs: 1,
      runningByJobType: { canary: 1 },
      openStreams: 1,
      artifactBytes: 123,
    });
    expect(rateLimits.find((state) => state.policy === "submit")).toMatchObject({
      quota: 50,
      windowSeconds: 1,
    });
    expect(rateLimits.map((state) => state.policy)).toEqual([
      "submit",
      "submit-burst",
      "submit-company",
      "submit-company-burst",
      "read",
      "read-burst",
    ]);

    await stream.body!.cancel();
    await waitUntil(
      async () => (await usageOf(acme)).usage.openStreams === 0,
      5_000,
      "no open stream counted",
    );
  });

  it("the admin token reads any company's usage (the company's rate limits only); an unknown company is 404", async () => {
    const response = await h.admin("GET", usagePath(globex.companyId));
    expect(response.status).toBe(200);
    const usage = (await response.json()) as Usage;
    expect(usage.usage).toMatchObject({ activeJobs: 0, artifactBytes: 0, openStreams: 0 });
    expect(usage.rateLimits.map((state) => state.policy)).toEqual(["submit-company", "submit-company-burst"]);
    await expectProblem(await h.admin("GET", usagePath(missingId)), 404);
  });

  it("another company's key is 403, no credentials 401, a stream token is not enough", async () => {
    await expectProblem(await h.request("GET", usagePath(acme.companyId), { key: globex.key }), 403);
    await expectProblem(await h.request("GET", usagePath(acme.companyId)), 401);
    const { token } = (await (
      await h.request("POST", `/api/companies/${acme.companyId}/stream-tokens`, { key: acme.key })
    ).json()) as { token: string };
    await expectProblem(await h.request("GET", `${usagePath(acme.companyId)}?access_token=${token}`), 401);
  });
});
