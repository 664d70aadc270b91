import { afterAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { BrowserPool, findChromiumProcesses } from "../chromium/index.ts";
import { artifactBytes, createTestRenderContext, pdfInfo, pdfText, renderToEnd } from "../testing/index.ts";
import { createDocumentPdfRenderer } from "./document-pdf-renderer.ts";
import { countPdfPages } from "./pdf-page-count.ts";
import { maxTemplateChars } from "./schema.ts";

const pool = new BrowserPool({ concurrency: 2 });
const renderer = createDocumentPdfRenderer({ pool });

afterAll(async () => {
  await pool.close();
  expect(await findChromiumProcesses(`${pool.poolId}/`)).toEqual([]);
});

const render = async (input: unknown) => {
  const { ctx, artifacts, progress } = createTestRenderContext();
  await renderToEnd(renderer, renderer.inputSchema.parse(input), ctx);
  expect(artifacts).toHaveLength(1);
  const artifact = artifacts[0]!;
  return { artifact, pdf: artifactBytes(artifact), progress };
};

const issuePaths = (input: unknown) =>
  renderer.inputSchema.safeParse(input).error?.issues.map((issue) => issue.path.join(".")) ?? [];

const pageBreak = '<div style="break-after: page">x</div>';

describe("document.pdf", () => {
  it("prints HTML to a PDF artifact with metadata and ordered progress stages", async () => {
    const { artifact, pdf, progress } = await render({ html: "<h1>Hello PDF</h1>" });
    expect(artifact.name).toBe("document.pdf");
    expect(artifact.contentType).toBe("application/pdf");
    expect(Buffer.from(pdf.subarray(0, 5)).toString("latin1")).toBe("%PDF-");
    expect(artifact.metadata).toEqual({ pageCount: 1, format: "A4", landscape: false, blockedRequests: [] });
    expect(progress.map((p) => p.stage)).toEqual(["launch", "layout", "print", "store", "store"]);
    const values = progress.map((p) => p.progress);
    expect([...values].sort((a, b) => a - b)).toEqual(values);
    expect(values.at(-1)).toBe(100);
    expect(await pdfText(pdf)).toContain("Hello PDF");
  });

  it("counts pages: 3 explicit page breaks give 4 pages, as pdfinfo agrees", async () => {
    const { artifact, pdf } = await render({ html: `${pageBreak.repeat(3)}<p>last</p>` });
    expect(artifact.metadata?.pageCount).toBe(4);
    expect(countPdfPages(pdf)).toBe(4);
    expect((await pdfInfo(pdf)).Pages).toBe("4");
  });

  it("renders Markdown through the shared pipeline with the print stylesheet", async () => {
    const markdown = [
      "# Report",
      "",
      "| k | v |",
      "|---|---|",
      "| a | 1 |",
      "",
      '<div class="page-break"></div>',
      "",
      "- [x] shipped",
      "",
      '<div class="page-break"></div>',
      "",
      "```ts",
      "const answer = 42;",
      "```",
      "<script>document.write('PWNED')</script>",
    ].join("\n");
    const { artifact, pdf } = await render({ markdown });
    expect(artifact.metadata?.pageCount).toBe(3);
    expect((await pdfInfo(pdf)).Title).toBe("Report");
    const text = await pdfText(pdf);
    expect(text).toMatch(/Report[\s\S]*a\s+1[\s\S]*shipped[\s\S]*const answer = 42;/);
    expect(text).not.toContain("PWNED");
  });

  it("applies format, landscape, title, margins and scale", async () => {
    const { artifact, pdf } = await render({
      html: "<p>wide</p>",
      format: "Letter",
      landscape: true,
      title: "Quarterly <numbers>",
      margin: { top: "1in", right: "2cm", bottom: "10mm", left: "0px" },
      scale: 0.5,
    });
    expect(artifact.metadata).toMatchObject({ format: "Letter", landscape: true, pageCount: 1 });
    const info = await pdfInfo(pdf);
    expect(info["Page size"]).toMatch(/^792(\.\d+)? x 612(\.\d+)? pts \(letter\)/);
    expect(info.Title).toBe("Quarterly <numbers>");
  });

  it("prints header and footer templates with page numbers and totals", async () => {
    const { pdf } = await render({
      html: `${pageBreak}<p>second</p>`,
      headerTemplate: '<div style="font-size:10px;width:100%;text-align:center">Kiln header</div>',
      footerTemplate:
        '<div style="font-size:10px;width:100%;text-align:center">Page <span class="pageNumber"></span> of <span class="totalPages"></span></div>',
      margin: { top: "20mm", right: "10mm", bottom: "20mm", left: "10mm" },
    });
    const text = await pdfText(pdf);
    expect(text.match(/Kiln header/g)).toHaveLength(2);
    expect(text).toContain("Page 1 of 2");
    expect(text).toContain("Page 2 of 2");
  });

  it("renders jobs concurrently on one browser", async () => {
    const launches = pool.launches;
    const results = await Promise.all(
      Array.from({ length: 4 }, (_, i) => render({ html: `${pageBreak.repeat(i)}<p>job ${i}</p>` })),
    );
    expect(results.map((result) => result.artifact.metadata?.pageCount)).toEqual([1, 2, 3, 4]);
    expect(pool.launches).toBe(launches);
  });

  it("fails without retry on Markdown nested too deeply to parse", async () => {
    const { ctx } = createTestRenderContext();
    const input = renderer.inputSchema.parse({ markdown: `${">".repeat(10_000)} deep` });
    await expect(renderer.render(input, ctx)).rejects.toMatchObject({
      code: "markdown_unrenderable",
      retryable: false,
    });
  });

  it("prints HTML led by a long run of spaces at once (a 52-byte input froze workers for minutes)", async () => {
    const started = performance.now();
    const { pdf } = await render({ html: `${" ".repeat(40)}<p>hello</p>` });
    expect(await pdfText(pdf)).toContain("hello");
    const hostile = await render({
      html: `${" ".repeat(100_000)}<!-- x -->${"\n".repeat(100_000)}<p>hello</p>`,
    });
    expect(hostile.artifact.metadata?.pageCount).toBe(1);
    expect(performance.now() - started).toBeLessThan(15_000);
  });

  it("fails without retry on a document Chromium cannot print, and keeps the browser", async () => {
    const { ctx, artifacts } = createTestRenderContext();
    // Past the input schema (which refuses these margins), as a document Chromium rejects would be.
    const input = renderer.inputSchema.parse({ html: "<p>x</p>" });
    const launches = pool.launches;
    const started = performance.now();
    await expect(
      renderToEnd(
        renderer,
        { ...input, margin: { top: "200mm", right: "15mm", bottom: "200mm", left: "15mm" } },
        ctx,
      ),
    ).rejects.toMatchObject({
      code: "pdf_print_failed",
      retryable: false,
      message: expect.stringMatching(/content area is empty/),
    });
    expect(performance.now() - started).toBeLessThan(10_000);
    expect(artifacts).toHaveLength(0);
    await render({ html: "<p>next</p>" });
    expect(pool.launches).toBe(launches);
  });

  describe("input schema", () => {
    it("requires exactly one of markdown or html, naming the field", () => {
      expect(issuePaths({})).toEqual(["markdown"]);
      expect(issuePaths({ markdown: "# a", html: "<p>a</p>" })).toEqual(["html"]);
      const both = renderer.inputSchema.safeParse({ markdown: "a", html: "b" });
      expect(both.error?.issues[0]?.message).toMatch(/exactly one of `markdown` or `html`/);
      expect(issuePaths({ markdown: "a" })).toEqual([]);
      expect(issuePaths({ html: "a" })).toEqual([]);
    });

    it("validates margins as CSS lengths, reporting each side", () => {
      expect(
        issuePaths({ html: "a", margin: { top: "10", right: "1em", bottom: "-1mm", left: "1mm" } }),
      ).toEqual(["margin.top", "margin.right", "margin.bottom"]);
      expect(issuePaths({ html: "a", margin: { top: "url(x)" } })).toEqual(["margin.top"]);
      expect(issuePaths({ html: "a", margin: { top: "12.5mm", left: "0.5in" } })).toEqual([]);
      expect(renderer.inputSchema.parse({ html: "a", margin: { top: "1cm" } }).margin).toEqual({
        top: "1cm",
        right: "15mm",
        bottom: "15mm",
        left: "15mm",
      });
    });

    it("refuses margins that leave no room for content on the chosen page", () => {
      expect(issuePaths({ html: "a", margin: { top: "200mm", bottom: "200mm" } })).toEqual(["margin"]);
      expect(issuePaths({ html: "a", margin: { left: "4in", right: "4.3in" } })).toEqual(["margin"]);
      expect(issuePaths({ html: "a", format: "A3", margin: { left: "140mm", right: "140mm" } })).toEqual([]);
      expect(issuePaths({ html: "a", landscape: true, margin: { top: "110mm", bottom: "110mm" } })).toEqual([
        "margin",
      ]);
      expect(issuePaths({ html: "a", margin: { top: "110mm", bottom: "110mm" } })).toEqual([]);
      expect(issuePaths({ html: "a", margin: { top: "1000000px" } })).toEqual(["margin"]);
    });

    it("reports every violation with its path and bounds every string", () => {
      expect(
        issuePaths({
          markdown: "a",
          html: "b",
          format: "B5",
          scale: 3,
          headerTemplate: "x".repeat(maxTemplateChars + 1),
          title: "t".repeat(201),
          javascript: true,
        }),
      ).toEqual(expect.arrayContaining(["format", "scale", "headerTemplate", "title", "", "html"]));
      expect(issuePaths({ html: "x".repeat(1_000_001) })).toEqual(["html"]);
      expect(issuePaths({ markdown: "x".repeat(500_001) })).toEqual(["markdown"]);
    });

    it("converts to JSON Schema, exactly-one rule included", () => {
      const schema = z.toJSONSchema(renderer.inputSchema, { io: "input" });
      expect(schema).toMatchObject({
        type: "object",
        additionalProperties: false,
        oneOf: [{ required: ["markdown"] }, { required: ["html"] }],
        properties: {
          html: { type: "string", maxLength: 1_000_000 },
          format: { enum: ["A4", "Letter", "Legal", "A3", "A5"], default: "A4" },
          scale: { minimum: 0.1, maximum: 2, default: 1 },
          printBackground: { default: true },
          footerTemplate: { maxLength: maxTemplateChars },
        },
      });
      expect(JSON.stringify(schema)).toContain("^\\\\d+(\\\\.\\\\d+)?(mm|cm|in|px)$");
    });
  });
});
