import { startTcpProxy } from "@kiln/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestHarness, type TestHarness } from "../../src/testing/test-harness.ts";
import { canaryInput, expectProblem, jobsPath, type TestCompany } from "../routes/support.ts";
import { parseRateLimitField, setLimits, usagePath, withinOneWindow } from "./support.ts";

// Small limits, so a burst is a handful of requests: 3 submits per second per key plus a burst
// allowance of 2 per 10 s; 4 other requests per second per key, no burst.
let redisProxy: Awaited<ReturnType<typeof startTcpProxy>>;
let h: TestHarness;
let instanceB: Awaited<ReturnType<TestHarness["addApiInstance"]>>;

beforeAll(async () => {
  redisProxy = await startTcpProxy(6379);
  h = await createTestHarness({
    apiThrough: { redisPort: redisProxy.port },
    env: {
      KILN_LIMIT_SUBMITS_PER_SECOND_PER_KEY: "3",
      KILN_LIMIT_SUBMIT_BURST_PER_KEY: "2",
      KILN_LIMIT_SUBMITS_PER_SECOND_PER_COMPANY: "1000",
      KILN_LIMIT_SUBMIT_BURST_PER_COMPANY: "100",
      KILN_LIMIT_READS_PER_SECOND_PER_KEY: "4",
      KILN_LIMIT_READ_BURST_PER_KEY: "0",
      KILN_RATE_BURST_WINDOW_S: "10",
      // Redis goes through a proxy on the test's own event loop: a busy machine must not look like
      // a slow Redis (whose requests are counted in memory, per instance).
      KILN_RATE_LIMIT_TIMEOUT_MS: "5000",
    },
  });
  instanceB = await h.addApiInstance();
});
afterAll(async () => {
  redisProxy?.restore();
  await h?.close();
  await redisProxy?.close();
});

const submitTo = (instance: Pick<TestHarness, "request">, company: TestCompany) =>
  instance.request("POST", jobsPath(company.companyId), {
    key: company.key,
    body: { jobType: "canary", input: canaryInput },
  });

const submitPolicies = {
  submit: { q: 3, w: 1 },
  "submit-burst": { q: 2, w: 10 },
  "submit-company": { q: 1000, w: 1 },
  "submit-company-burst": { q: 100, w: 10 },
};

describe("rate limits shared by every API instance", () => {
  it("a burst beyond the limit meets 429 rate_limited on both instances, with Retry-After and RateLimit headers", async () => {
    const {
      company,
      sent: { accepted, refused },
    } = await withinOneWindow(
      async () => ({ company: await h.createCompany() }),
      async ({ company }) => {
        // The steady rate and the burst allowance, used up through both instances (one count)…
        const accepted = await Promise.all(
          Array.from({ length: 5 }, (_, index) => submitTo(index % 2 === 0 ? h : instanceB, company)),
        );
        // …then both refuse.
        const refused = await Promise.all([submitTo(h, company), submitTo(instanceB, company)]);
        return { accepted, refused };
      },
    );
    expect(accepted.map((response) => response.status)).toEqual([202, 202, 202, 202, 202]);
    expect(refused.map((response) => response.status)).toEqual([429, 429]);
    const responses = [...accepted, ...refused];

    for (const response of responses) {
      // Every answer of a limited route names its policies and what is left of them.
      expect(parseRateLimitField(response.headers.get("ratelimit-policy"))).toEqual(submitPolicies);
      const left = parseRateLimitField(response.headers.get("ratelimit"));
      expect(left.submit).toMatchObject({ r: expect.any(Number), t: expect.any(Number) });
      if (response.status === 202) continue;
      const problem = await expectProblem(response, 429);
      expect(problem).toMatchObject({ code: "rate_limited", detail: expect.stringMatching(/submit/) });
      expect(response.headers.get("retry-after")).toBe("1");
      expect(left.submit).toMatchObject({ r: 0 });
      expect(left["submit-burst"]).toMatchObject({ r: 0 });
      expect(left["submit-burst"]!.t).toBeGreaterThan(0);
      expect(left["submit-burst"]!.t).toBeLessThanOrEqual(10);
    }
    // Refused submits create nothing; each instance counted its refusal.
    expect((await h.services.companyUsage.activeJobs(company.companyId)).queued).toBe(5);
    const throttledLine = `kiln_rate_limited_requests_total{company="${company.companyId}",policy="submit"} 1`;
    expect(await h.services.metrics.render()).toContain(throttledLine);
    expect(await instanceB.services.metrics.render()).toContain(throttledLine);

    // After Retry-After, the steady rate is back (on either instance).
    const retryAfter = Number(
      responses.find((response) => response.status === 429)!.headers.get("retry-after"),
    );
    await new Promise((resolve) => setTimeout(resolve, 1_000 * retryAfter));
    const after = await submitTo(instanceB, company);
    expect(after.status, await after.clone().text()).toBe(202);
    expect(parseRateLimitField(after.headers.get("ratelimit")).submit).toEqual({ r: 2, t: 1 });
  });

  it("reads have a limit of their own per key, counted apart from submits", async () => {
    const { company, sent: statuses } = await withinOneWindow(
      async () => ({ company: await h.createCompany() }),
      async ({ company }) => {
        const statuses = [];
        for (let index = 0; index < 5; index++) {
          const instance = index % 2 === 0 ? h : instanceB;
          statuses.push(await instance.request("GET", jobsPath(company.companyId), { key: company.key }));
        }
        return statuses;
      },
    );
    expect(statuses.map((response) => response.status)).toEqual([200, 200, 200, 200, 429]);
    expect(parseRateLimitField(statuses[0]!.headers.get("ratelimit-policy"))).toEqual({
      read: { q: 4, w: 1 },
    });
    expect(parseRateLimitField(statuses[3]!.headers.get("ratelimit")).read).toMatchObject({ r: 0 });
    expect(await expectProblem(statuses[4]!, 429)).toMatchObject({ code: "rate_limited" });
    expect((await submitTo(h, company)).status).toBe(202);
  });

  it("two keys of one company share the company's limit", async () => {
    const { sent: statuses } = await withinOneWindow(
      async () => {
        const company = await h.createCompany();
        await setLimits(h, company.companyId, { submitsPerSecondPerCompany: 2, submitBurstPerCompany: 0 });
        const second = (await (
          await h.admin("POST", `/api/companies/${company.companyId}/api-keys`, { name: "second" })
        ).json()) as { key: string };
        return { company, keys: [company.key, second.key, company.key, second.key] };
      },
      ({ company, keys }) =>
        Promise.all(keys.map(async (key) => (await submitTo(h, { ...company, key })).status)),
    );
    // Each window lets two through, whichever keys they come from.
    expect(statuses.filter((status) => status === 202)).toHaveLength(2);
    expect(statuses.filter((status) => status === 429)).toHaveLength(2);
  });

  it("a company's own limits replace the defaults; other companies keep theirs", async () => {
    const other = await h.createCompany();
    const {
      sent: [first, second],
    } = await withinOneWindow(
      async () => {
        const slow = await h.createCompany();
        await setLimits(h, slow.companyId, { submitsPerSecondPerKey: 1, submitBurstPerKey: 0 });
        return { slow };
      },
      async ({ slow }) => [await submitTo(h, slow), await submitTo(instanceB, slow)],
    );
    expect([first!.status, second!.status]).toEqual([202, 429]);
    const policies = parseRateLimitField(second!.headers.get("ratelimit-policy"));
    expect(policies.submit).toEqual({ q: 1, w: 1 });
    expect(policies["submit-burst"]).toBeUndefined();
    for (let index = 0; index < 3; index++) expect((await submitTo(h, other)).status).toBe(202);
  });

  it("the admin token is never limited and gets no RateLimit headers", async () => {
    const company = await h.createCompany();
    const responses = await Promise.all(
      Array.from({ length: 12 }, () => h.admin("GET", usagePath(company.companyId))),
    );
    expect(responses.map((response) => response.status)).toEqual(Array(12).fill(200));
    expect(responses[0]!.headers.get("ratelimit-policy")).toBeNull();
  });

  it("Redis unreachable: each instance limits alone, in memory; nothing answers 500 or 503", async () => {
    const company = await h.createCompany();
    redisProxy.cut();
    try {
      const list = () => h.request("GET", jobsPath(company.companyId), { key: company.key });
      const responses = [];
      for (let index = 0; index < 5; index++) responses.push(await list());
      expect(responses.map((response) => response.status)).toEqual([200, 200, 200, 200, 429]);
      expect(parseRateLimitField(responses[0]!.headers.get("ratelimit")).read).toMatchObject({ r: 3 });
      expect(responses[4]!.headers.get("retry-after")).toBe("1");
    } finally {
      redisProxy.restore();
    }
  });
});
