import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestHarness, type TestHarness } from "../../src/testing/test-harness.ts";
import {
  expectProblem,
  jobFields,
  jobPath,
  jobSummaryFields,
  jobsPath,
  type TestCompany,
} from "./support.ts";

// DESIGN.md: lists carry the Job without `input` (so a page's size does not grow with what a tenant
// submits); `?include=input` adds it; `GET …/:jobId` returns the whole Job.

const inputChars = 490_000;
const pageSize = 20;
/** A page of 20 summaries is a few KiB; 20 inputs of 490 KB are ~9.8 MB. */
const summaryPageLimitBytes = 32 * 1024;

let h: TestHarness;
let acme: TestCompany;
const ids: string[] = [];

beforeAll(async () => {
  h = await createTestHarness();
  acme = await h.createCompany("Acme");
  // Submitted through the API, as the reproduction did: inputs of 490 KB each (HTML documents:
  // Markdown is capped below that size).
  for (let index = 0; index < pageSize; index++) {
    const head = `<p>${index}</p><!--`;
    const filler = "lorem ipsum dolor sit amet ".repeat(Math.ceil(inputChars / 27));
    const html = `${head}${filler.slice(0, inputChars - head.length - 3)}-->`;
    const response = await h.request("POST", jobsPath(acme.companyId), {
      key: acme.key,
      body: { jobType: "document.pdf", input: { html } },
    });
    expect(response.status, await response.clone().text()).toBe(202);
    ids.push(((await response.json()) as { jobId: string }).jobId);
  }
}, 120_000);
afterAll(() => h?.close());

const listPage = async (query: string) => {
  const response = await h.request("GET", `${jobsPath(acme.companyId)}?limit=${pageSize}${query}`, {
    key: acme.key,
  });
  const text = await response.text();
  expect(response.status, text.slice(0, 500)).toBe(200);
  return { bytes: Buffer.byteLength(text), page: JSON.parse(text) as { items: Record<string, unknown>[] } };
};

describe("GET …/content-jobs lists summaries unless ?include=input", () => {
  it(`a page of ${pageSize} jobs with 490 KB inputs is small: every item is a JobSummary, without input`, async () => {
    const { bytes, page } = await listPage("");
    expect(page.items.map((item) => item.id).sort()).toEqual([...ids].sort());
    for (const item of page.items) expect(Object.keys(item).sort()).toEqual(jobSummaryFields);
    expect(bytes).toBeLessThan(summaryPageLimitBytes);
    console.info(`a page of ${pageSize} summaries: ${bytes} bytes`);
  });

  it("?include=input lists whole Jobs, each with its input", async () => {
    const { bytes, page } = await listPage("&include=input");
    expect(page.items).toHaveLength(pageSize);
    for (const item of page.items) {
      expect(Object.keys(item).sort()).toEqual(jobFields);
      expect((item.input as { html: string }).html).toHaveLength(inputChars);
    }
    expect(bytes).toBeGreaterThan(pageSize * inputChars);
    console.info(`the same page with ?include=input: ${bytes} bytes`);
  });

  it("the summary equals the whole Job without its input", async () => {
    const [summaries, wholes] = await Promise.all([listPage(""), listPage("&include=input")]);
    expect(summaries.page.items).toEqual(wholes.page.items.map(({ input: _input, ...summary }) => summary));
  });

  it("GET …/:jobId still returns the whole Job, input included", async () => {
    const response = await h.request("GET", jobPath(acme.companyId, ids[0]!), { key: acme.key });
    const job = (await response.json()) as { input: { html: string } };
    expect(Object.keys(job).sort()).toEqual(jobFields);
    expect(job.input.html).toHaveLength(inputChars);
  });

  it.each(["include=inputs", "include=INPUT", "include=", "include=input,artifacts", "include=error"])(
    "%s → 400 naming include",
    async (query) => {
      const response = await h.request("GET", `${jobsPath(acme.companyId)}?${query}`, { key: acme.key });
      const problem = await expectProblem(response, 400);
      expect(problem.errors?.map((error) => error.path)).toEqual(["include"]);
    },
  );
});

describe("OpenAPI", () => {
  interface Doc {
    paths: Record<
      string,
      Record<
        string,
        { parameters?: { name: string; schema: { enum?: string[] } }[] } & {
          responses: Record<string, { content?: Record<string, { schema: unknown }> }>;
        }
      >
    >;
    components: { schemas: Record<string, { properties?: Record<string, unknown>; required?: string[] }> };
  }
  const openApi = async () => (await (await h.request("GET", "/openapi.json")).json()) as Doc;

  it("JobSummary is a component: the Job's properties but input", async () => {
    const { components } = await openApi();
    const job = Object.keys(components.schemas.Job!.properties!).sort();
    expect(Object.keys(components.schemas.JobSummary!.properties!).sort()).toEqual(
      job.filter((name) => name !== "input"),
    );
  });

  it("the list answers JobSummaryPage, or JobPage with include=input; one job answers Job", async () => {
    const { paths } = await openApi();
    const list = paths["/api/companies/{companyId}/content-jobs"]!.get!;
    expect(list.parameters?.find((parameter) => parameter.name === "include")?.schema.enum).toEqual([
      "input",
    ]);
    expect(list.responses["200"]!.content!["application/json"]!.schema).toEqual({
      anyOf: [{ $ref: "#/components/schemas/JobSummaryPage" }, { $ref: "#/components/schemas/JobPage" }],
    });
    const one = paths["/api/companies/{companyId}/content-jobs/{jobId}"]!.get!;
    expect(one.responses["200"]!.content!["application/json"]!.schema).toEqual({
      $ref: "#/components/schemas/Job",
    });
  });
});
