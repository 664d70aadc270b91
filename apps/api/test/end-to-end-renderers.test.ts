import { readSse } from "@kiln/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestHarness, type TestHarness } from "../src/testing/test-harness.ts";

let h: TestHarness;
let company: { companyId: string; key: string };

beforeAll(async () => {
  h = await createTestHarness();
  company = await h.createCompany();
  await h.runWorker({ KILN_PROGRESS_INTERVAL_MS: "0" });
}, 90_000);
afterAll(() => h?.close());

interface DoneJob {
  status: string;
  artifacts: {
    name: string;
    contentType: string;
    size: number;
    url: string;
    metadata?: Record<string, unknown>;
  }[];
}

/** Submits through the API, follows the job's stream to its end, downloads its first artifact. */
const render = async (jobType: string, input: unknown) => {
  const submitted = await h.request("POST", `/api/companies/${company.companyId}/content-jobs`, {
    key: company.key,
    body: { jobType, input },
  });
  expect(submitted.status).toBe(202);
  const { jobId } = (await submitted.json()) as { jobId: string };
  const stream = await h.request("GET", `/api/companies/${company.companyId}/content-jobs/${jobId}/events`, {
    key: company.key,
  });
  const { events } = await readSse(stream, { timeoutMs: 60_000 });
  const last = events.at(-1)!;
  expect(last.event, JSON.stringify(last.data)).toBe("content_job.done");
  const job = last.data.job as unknown as DoneJob;
  const artifact = job.artifacts[0]!;
  const download = await h.request("GET", artifact.url, { key: company.key });
  expect(download.status).toBe(200);
  expect(download.headers.get("content-type")).toBe(artifact.contentType);
  const bytes = new Uint8Array(await download.arrayBuffer());
  expect(bytes.byteLength).toBe(artifact.size);
  return {
    artifact,
    bytes,
    stages: events.filter((e) => e.event === "content_job.progress").map((e) => e.data.stage),
  };
};

const pngSize = (bytes: Uint8Array) => {
  expect([...bytes.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  const view = new DataView(bytes.buffer, bytes.byteOffset);
  return { width: view.getUint32(16), height: view.getUint32(20) };
};

describe("every job type renders for real through the API and a worker process", () => {
  it("document.pdf: a PDF whose page count matches its content", async () => {
    const pageBreak = `<div class="page-break"></div>`;
    const markdown = ["# One", pageBreak, "# Two", pageBreak, "# Three"].join("\n\n");
    const { artifact, bytes, stages } = await render("document.pdf", { markdown, format: "A5" });
    expect(new TextDecoder().decode(bytes.subarray(0, 5))).toBe("%PDF-");
    expect(artifact).toMatchObject({ name: "document.pdf", contentType: "application/pdf" });
    expect(artifact.metadata?.pageCount).toBe(3);
    expect(stages).toEqual(expect.arrayContaining(["launch", "layout", "print", "store"]));
  }, 90_000);

  it("image.card: a PNG of the requested size", async () => {
    const { artifact, bytes } = await render("image.card", { title: "Hello from Kiln", size: "square" });
    expect(artifact).toMatchObject({ name: "card.png", contentType: "image/png" });
    expect(pngSize(bytes)).toEqual({ width: 1080, height: 1080 });
  }, 60_000);

  it("chart.vega: a well-formed SVG chart, and a PNG at scale", async () => {
    const spec = {
      data: {
        values: [
          { a: "x", b: 3 },
          { a: "y", b: 5 },
        ],
      },
      mark: "bar",
      encoding: { x: { field: "a", type: "nominal" }, y: { field: "b", type: "quantitative" } },
    };
    const svg = await render("chart.vega", { spec, format: "svg" });
    const text = new TextDecoder().decode(svg.bytes);
    expect(svg.artifact.contentType).toBe("image/svg+xml");
    expect(text).toMatch(/^<svg[^>]*width="\d+"/);
    expect(text.trimEnd().endsWith("</svg>")).toBe(true);
    const png = await render("chart.vega", { spec, format: "png", scale: 2 });
    const size = pngSize(png.bytes);
    expect(size.width).toBe(2 * Number(/width="(\d+)"/.exec(text)![1]));
  }, 60_000);

  it("GET /api/job-types lists all five with their JSON Schemas", async () => {
    const types = (await (await h.request("GET", "/api/job-types")).json()) as {
      jobType: string;
      inputSchema: { type?: string };
    }[];
    expect(types.map((t) => t.jobType).sort()).toEqual([
      "canary",
      "chart.vega",
      "document.pdf",
      "image.card",
      "markdown.html",
    ]);
    for (const type of types) expect(type.inputSchema).toBeTypeOf("object");
  });
});
