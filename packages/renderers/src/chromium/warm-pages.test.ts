import { waitUntil } from "@kiln/testkit";
import { describe, expect, it } from "vitest";
import type { createDocumentPdfRenderer } from "../document-pdf/index.ts";
import { artifactBytes, createTestRenderContext, pdfText, renderToEnd } from "../testing/index.ts";
import { trackPools } from "./test-pools.ts";

const createPool = trackPools();

type PdfRenderer = ReturnType<typeof createDocumentPdfRenderer>;

const render = async (renderer: PdfRenderer, companyId: string, html = "<p>fine</p>") => {
  const { ctx, artifacts } = createTestRenderContext({ companyId });
  await renderToEnd(renderer, renderer.inputSchema.parse({ html }), ctx);
  const artifact = artifacts[0]!;
  return {
    pageCount: artifact.metadata?.pageCount,
    blockedRequests: artifact.metadata?.blockedRequests,
    text: () => pdfText(artifactBytes(artifact)),
  };
};

describe("warm pages", () => {
  it("keeps a company's page for its next job, and never gives it to another company", async () => {
    const { pool, renderer } = createPool({ concurrency: 2 });
    await render(renderer, "company-a");
    expect(pool.pagesReused).toBe(0);
    await render(renderer, "company-a");
    expect(pool.pagesReused).toBe(1);
    // Company b's job opens a fresh context; a's page stays warm beside b's.
    await render(renderer, "company-b");
    expect(pool.pagesReused).toBe(1);
    await render(renderer, "company-a");
    await render(renderer, "company-b");
    expect(pool.pagesReused).toBe(3);
    expect(pool.warmPages).toBe(2);
    expect(pool.sparePagesTaken).toBe(0);
  });

  it("opens a page ahead of need between jobs, for the next job that finds no warm page of its company", async () => {
    const { pool, renderer } = createPool({ concurrency: 2, sparePage: true });
    await render(renderer, "company-a");
    expect(pool.sparePagesTaken).toBe(0);
    // No warm page for b: its job starts on the page opened after a's.
    await render(renderer, "company-b");
    expect(pool.sparePagesTaken).toBe(1);
    // a's own page was kept warm; the spare opened after b's job stays for a later newcomer.
    await render(renderer, "company-a");
    expect(pool.pagesReused).toBe(1);
    expect(pool.sparePagesTaken).toBe(1);
  });

  it("clears the page between a company's jobs: the last document's policies, refresh and requests are gone", async () => {
    const { pool, renderer } = createPool({ concurrency: 1 });
    // Would outlive a document.write: a stricter CSP (inline styles refused), a pending refresh.
    const first = await render(
      renderer,
      "company-a",
      `<meta http-equiv="Content-Security-Policy" content="style-src 'none'">
       <meta http-equiv="refresh" content="0;url=data:text/html,refreshed">
       <img src="https://tracker.example/first.png"><p>first secret</p>`,
    );
    expect(first.blockedRequests).toEqual(["https://tracker.example/first.png"]);
    const second = await render(
      renderer,
      "company-a",
      '<div style="break-after:page">page one</div><div>page two</div>',
    );
    expect(pool.pagesReused).toBe(1);
    // The inline style applied (two pages): the first document's CSP did not carry over.
    expect(second.pageCount).toBe(2);
    const text = await second.text();
    expect(text).toContain("page one");
    expect(text).not.toContain("first secret");
    expect(text).not.toContain("refreshed");
    expect(second.blockedRequests).toEqual([]);
  });

  it("does not keep the page of a job that failed or was cancelled", async () => {
    const { pool, renderer } = createPool({ concurrency: 1 });
    await render(renderer, "company-a");
    expect(pool.warmPages).toBe(1);
    const { ctx, abort, progress } = createTestRenderContext({ companyId: "company-a" });
    // Prints for seconds: long enough to cancel it mid-print.
    const enormous = '<div style="break-after:page">page</div>'.repeat(5_000);
    const cancelled = renderToEnd(renderer, renderer.inputSchema.parse({ html: enormous }), ctx);
    cancelled.catch(() => undefined);
    await waitUntil(() => progress.some((p) => p.stage === "print"), 30_000, "the render to print");
    abort(new Error("job cancelled"));
    await expect(cancelled).rejects.toThrow("job cancelled");
    // Taken by the cancelled job, then closed rather than kept.
    await expect.poll(() => pool.warmPages).toBe(0);
    await render(renderer, "company-a");
    expect(pool.pagesReused).toBe(1);
  });

  it("opens a fresh context for every job when warmPages is 0", async () => {
    const { pool, renderer } = createPool({ concurrency: 1, warmPages: 0 });
    await render(renderer, "company-a");
    await render(renderer, "company-a");
    expect(pool.pagesReused).toBe(0);
    expect(pool.warmPages).toBe(0);
  });
});
