import { createPrismaClient } from "@kiln/db";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestHarness, type TestHarness } from "../../src/testing/test-harness.ts";
import { canaryInput, expectProblem, jobsPath, type TestCompany } from "./support.ts";

// JSON text, not JS strings: a lone surrogate reaches the API only as a `\uXXXX` escape, since a
// client's UTF-8 encoder would have turned a raw one into U+FFFD already.
const lone = "\\ud800";
const loneLow = "\\udc00";

let h: TestHarness;
let acme: TestCompany;
let prisma: ReturnType<typeof createPrismaClient>;

beforeAll(async () => {
  h = await createTestHarness();
  acme = await h.createCompany("Acme");
  prisma = createPrismaClient({ databaseUrl: h.database.url });
});
afterAll(async () => {
  await prisma?.$disconnect();
  await h?.close();
});

const rows = async () => ({
  jobs: await prisma.contentJob.count(),
  companies: await prisma.company.count(),
  keys: await prisma.apiKey.count(),
});

/** Sends `json` as it is written; expects a 400 naming exactly `paths`, and no row created. */
const expectRefused = async (path: string, json: string, paths: string[], auth = acme.key) => {
  const before = await rows();
  const problem = await expectProblem(await h.request("POST", path, { key: auth, body: json }), 400);
  expect(problem.detail).toMatch(/not well-formed Unicode/);
  expect(problem.errors?.map((error) => error.path)).toEqual(paths);
  for (const error of problem.errors ?? []) expect(error.message).toMatch(/surrogate/);
  expect(await rows()).toEqual(before);
};

describe("an unpaired surrogate is a 400 naming its path, in every text field, and nothing is created", () => {
  it("sourceTaskId (stored as U+FFFD before)", async () => {
    await expectRefused(
      jobsPath(acme.companyId),
      `{"jobType":"canary","input":${JSON.stringify(canaryInput)},"sourceTaskId":"task-${lone}"}`,
      ["sourceTaskId"],
    );
  });

  it("deep in input, in values and in keys, each path named", async () => {
    await expectRefused(
      jobsPath(acme.companyId),
      `{"jobType":"chart.vega","input":{"spec":{"mark":"bar","data":{"values":[` +
        `{"a":"fine","b":"x${loneLow}"},{"k${lone}":1}]}}}}`,
      ["input.spec.data.values.0.b", "input.spec.data.values.1.k\ufffd"],
    );
    await expectRefused(jobsPath(acme.companyId), `{"jobType":"image.card","input":{"title":"${lone}"}}`, [
      "input.title",
    ]);
  });

  it("however deep it is nested (deeper than JSON.stringify can go)", async () => {
    const depth = 50_000;
    await expectRefused(
      jobsPath(acme.companyId),
      `{"jobType":"chart.vega","input":{"spec":{"x":${"[".repeat(depth)}"${lone}"${"]".repeat(depth)}}}}`,
      [`input.spec.x${".0".repeat(depth)}`],
    );
  });

  it("jobType", async () => {
    await expectRefused(jobsPath(acme.companyId), `{"jobType":"canary${lone}","input":{}}`, ["jobType"]);
  });

  it("a company's name (admin)", async () => {
    await expectRefused("/api/companies", `{"name":"Acme ${lone}"}`, ["name"], h.adminToken);
  });

  it("an API key's name (admin)", async () => {
    await expectRefused(
      `/api/companies/${acme.companyId}/api-keys`,
      `{"name":"ci ${loneLow}"}`,
      ["name"],
      h.adminToken,
    );
  });

  it("a query filter whose percent-encoding is not UTF-8 (an encoded lone surrogate)", async () => {
    for (const query of ["sourceTaskId=%ED%A0%80", "jobType=canary%ED%B0%80", "sourceTaskId=%FF"]) {
      const problem = await expectProblem(
        await h.request("GET", `${jobsPath(acme.companyId)}?${query}`, { key: acme.key }),
        400,
      );
      expect(problem.errors?.map((error) => error.path)).toEqual([query.split("=")[0]]);
    }
  });
});

describe("well-formed text is untouched", () => {
  it("a surrogate pair (an emoji) in sourceTaskId and input is stored as sent, and filters find it", async () => {
    const response = await h.request("POST", jobsPath(acme.companyId), {
      key: acme.key,
      body: `{"jobType":"image.card","input":{"title":"ok \\ud83d\\ude00"},"sourceTaskId":"task-\\ud83d\\ude00"}`,
    });
    expect(response.status).toBe(202);
    const { jobId } = (await response.json()) as { jobId: string };
    const job = (await (
      await h.request("GET", `${jobsPath(acme.companyId)}/${jobId}`, { key: acme.key })
    ).json()) as {
      sourceTaskId: string;
      input: { title: string };
    };
    expect(job.sourceTaskId).toBe("task-😀");
    expect(job.input.title).toBe("ok 😀");

    const page = await h.request(
      "GET",
      `${jobsPath(acme.companyId)}?sourceTaskId=${encodeURIComponent("task-😀")}&limit=5`,
      { key: acme.key },
    );
    expect(page.status).toBe(200);
    const { items } = (await page.json()) as { items: { id: string }[] };
    expect(items.map((item) => item.id)).toEqual([jobId]);
  });

  it("the six characters `\\ud800` written out (an escaped backslash) are ordinary text", async () => {
    const response = await h.request("POST", jobsPath(acme.companyId), {
      key: acme.key,
      body: `{"jobType":"canary","input":${JSON.stringify(canaryInput)},"sourceTaskId":"\\\\ud800"}`,
    });
    expect(response.status).toBe(202);
    const { jobId } = (await response.json()) as { jobId: string };
    const job = (await (
      await h.request("GET", `${jobsPath(acme.companyId)}/${jobId}`, { key: acme.key })
    ).json()) as {
      sourceTaskId: string;
    };
    expect(job.sourceTaskId).toBe("\\ud800");
  });

  it("a stray % in a query value stays literal, as before", async () => {
    const response = await h.request("GET", `${jobsPath(acme.companyId)}?sourceTaskId=100%`, {
      key: acme.key,
    });
    expect(response.status).toBe(200);
  });
});
