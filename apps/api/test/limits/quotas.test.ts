import { waitUntil } from "@kiln/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestHarness, type TestHarness } from "../../src/testing/test-harness.ts";
import {
  canaryInput,
  expectProblem,
  finishJob,
  jobsPath,
  submitCanary,
  type TestCompany,
} from "../routes/support.ts";
import { setLimits } from "./support.ts";

let h: TestHarness;
let instanceB: Awaited<ReturnType<TestHarness["addApiInstance"]>>;

beforeAll(async () => {
  // Stored bytes are read afresh on every submit, so a test sees its own artifacts at once.
  h = await createTestHarness({ env: { KILN_ARTIFACT_USAGE_TTL_MS: "0" } });
  instanceB = await h.addApiInstance();
});
afterAll(() => h?.close());

const openStream = (instance: Pick<TestHarness, "request">, company: TestCompany) =>
  instance.request("GET", `/api/companies/${company.companyId}/events`, { key: company.key });

/** Refusals of one company counted by both instances (each has its own metrics). */
const refusalsOf = async (companyId: string, quota: string) => {
  const texts = await Promise.all([h.services.metrics.render(), instanceB.services.metrics.render()]);
  const line = new RegExp(
    `^kiln_quota_refusals_total\\{company="${companyId}",quota="${quota}"\\} (\\d+)$`,
    "m",
  );
  return texts.reduce((total, text) => total + Number(line.exec(text)?.[1] ?? 0), 0);
};

describe("open SSE streams per company, across instances", () => {
  it("beyond the cap a stream is refused with 429 quota_exceeded; closing one frees its slot", async () => {
    const company = await h.createCompany();
    await setLimits(h, company.companyId, { maxOpenStreams: 2 });
    const first = await openStream(h, company);
    const second = await openStream(instanceB, company);
    expect([first.status, second.status]).toEqual([200, 200]);
    // A stream is a limited route too (opening one counts as a read).
    expect(first.headers.get("ratelimit-policy")).toMatch(/^"read";q=\d+;w=1/);

    // Refused on either instance: the count is fleet-wide. Job streams count too.
    const refused = await openStream(h, company);
    expect(await expectProblem(refused, 429)).toMatchObject({
      code: "quota_exceeded",
      detail: expect.stringMatching(/2 event streams open/),
    });
    const jobId = await submitCanary(h, company);
    await expectProblem(
      await instanceB.request("GET", `${jobsPath(company.companyId)}/${jobId}/events`, { key: company.key }),
      429,
    );
    // Another company is not affected.
    const other = await h.createCompany();
    const otherStream = await openStream(h, other);
    expect(otherStream.status).toBe(200);
    await otherStream.body?.cancel();

    await second.body!.cancel();
    await waitUntil(
      async () => (await h.services.streamLeases.count(company.companyId)) === 1,
      5_000,
      "the closed stream's slot freed",
    );
    const reopened = await openStream(h, company);
    expect(reopened.status).toBe(200);
    await Promise.all([first.body!.cancel(), reopened.body!.cancel()]);
    expect(await refusalsOf(company.companyId, "open_streams")).toBe(2);
  });

  it("a job stream that ends by itself frees its slot", async () => {
    const company = await h.createCompany();
    await setLimits(h, company.companyId, { maxOpenStreams: 1 });
    const jobId = await submitCanary(h, company);
    await h.request("POST", `${jobsPath(company.companyId)}/${jobId}/cancel`, { key: company.key });
    // The job is terminal: its stream sends the snapshot and ends.
    const ended = await h.request("GET", `${jobsPath(company.companyId)}/${jobId}/events`, {
      key: company.key,
    });
    expect(ended.status).toBe(200);
    await ended.text();
    await waitUntil(
      async () => (await h.services.streamLeases.count(company.companyId)) === 0,
      5_000,
      "the ended stream's slot freed",
    );
  });

  it("a cap of 0 refuses every stream", async () => {
    const company = await h.createCompany();
    await setLimits(h, company.companyId, { maxOpenStreams: 0 });
    await expectProblem(await openStream(h, company), 429);
  });
});

describe("artifact bytes kept per company", () => {
  it("a submit while the company keeps its quota of bytes or more is 429 quota_exceeded and creates nothing", async () => {
    const company = await h.createCompany();
    await setLimits(h, company.companyId, { maxArtifactBytes: 30 });
    const first = await submitCanary(h, company);
    await finishJob(h, company.companyId, first, "canary.json", "x".repeat(20));
    // 20 of 30 bytes: still under the quota.
    const second = await submitCanary(h, company);
    await finishJob(h, company.companyId, second, "canary.json", "y".repeat(10));

    const refused = await instanceB.request("POST", jobsPath(company.companyId), {
      key: company.key,
      body: { jobType: "canary", input: canaryInput },
    });
    expect(await expectProblem(refused, 429)).toMatchObject({
      code: "quota_exceeded",
      detail: expect.stringMatching(/30 bytes .* quota of 30/),
    });
    expect(await h.services.companyUsage.activeJobs(company.companyId)).toMatchObject({ queued: 0 });
    expect(await refusalsOf(company.companyId, "artifact_bytes")).toBe(1);

    // A larger quota (or the default) lets submits through again.
    await setLimits(h, company.companyId, { maxArtifactBytes: null });
    await submitCanary(h, company);
  });
});
