import { defineRenderer } from "@kiln/core";
import {
  type BrowserPool,
  type ChromiumOptions,
  createBrowserPool,
  injectDocumentHead,
  loadChromiumDriver,
} from "../chromium/index.ts";
import { countPdfPages } from "./pdf-page-count.ts";
import { type DocumentPdfInput, documentPdfInputSchema } from "./schema.ts";

export interface DocumentPdfRendererOptions {
  /** Options of the browser pool this renderer creates (ignored when `pool` is given). */
  chromium?: ChromiumOptions;
  /** A pool to share; the renderer then leaves closing it to the caller. Default: its own, lazily launched. */
  pool?: BrowserPool;
}

/** Chromium prints its own date/title/URL header when only one template is set; this blanks it. */
const emptyTemplate = "<span></span>";

const toHtml = async (input: DocumentPdfInput): Promise<string> => {
  if (input.markdown !== undefined) {
    // Loaded on first render: the Markdown pipeline is heavy and the API never needs it.
    const { renderMarkdownDocument } = await import("../markdown/index.ts");
    return renderMarkdownDocument({ markdown: input.markdown, title: input.title, print: true }).html;
  }
  // The schema guarantees html is present when markdown is not.
  return input.html ?? "";
};

/** What the isolated step hands to the printing step: the page to print and how. */
export interface PreparedDocument {
  html: string;
  pdf: Pick<
    DocumentPdfInput,
    "format" | "landscape" | "margin" | "printBackground" | "scale" | "headerTemplate" | "footerTemplate"
  >;
}

/**
 * The `document.pdf` job type: Markdown or HTML → `document.pdf`. The page is prepared (Markdown
 * parsed, the lockdown CSP injected) in the isolated thread; Chromium, another process, prints it,
 * driven from the worker's loop.
 */
export const createDocumentPdfRenderer = (options: DocumentPdfRendererOptions = {}) => {
  const ownsPool = options.pool === undefined;
  // Creating a pool launches nothing; the browser starts with the first render.
  const pool = options.pool ?? createBrowserPool(options.chromium);
  return defineRenderer({
    jobType: "document.pdf",
    description:
      "Prints Markdown or HTML to document.pdf in headless Chromium, with JavaScript off and no network or file access.",
    inputSchema: documentPdfInputSchema,
    // Layout and print are bounded by the browser pool's own render timeout within this one.
    limits: { timeoutMs: 45_000, memoryMb: 256 },
    async render(input): Promise<PreparedDocument> {
      const html = injectDocumentHead(await toHtml(input), { title: input.title });
      const { format, landscape, margin, printBackground, scale, headerTemplate, footerTemplate } = input;
      return {
        html,
        pdf: { format, landscape, margin, printBackground, scale, headerTemplate, footerTemplate },
      };
    },
    async finishOnLoop({ html, pdf: options }, ctx) {
      ctx.reportProgress(0, "launch");
      const withHeaderFooter = options.headerTemplate !== undefined || options.footerTemplate !== undefined;
      const { pdf, blockedRequests } = await pool.render({
        signal: ctx.signal,
        tenant: ctx.companyId,
        onPageReady: () => ctx.reportProgress(10, "layout"),
        run: async (page, blocked) => {
          // The pool's deadline bounds both steps; Playwright's own timeouts stay out of the way.
          await page.setContent(html, { waitUntil: "load", timeout: 0 });
          ctx.reportProgress(40, "print");
          const pdf = await page.pdf({
            format: options.format,
            landscape: options.landscape,
            margin: options.margin,
            printBackground: options.printBackground,
            scale: options.scale,
            displayHeaderFooter: withHeaderFooter,
            headerTemplate: withHeaderFooter ? (options.headerTemplate ?? emptyTemplate) : undefined,
            footerTemplate: withHeaderFooter ? (options.footerTemplate ?? emptyTemplate) : undefined,
            outline: true,
          });
          return { pdf, blockedRequests: blocked };
        },
      });
      ctx.reportProgress(90, "store");
      await ctx.writeArtifact({
        name: "document.pdf",
        contentType: "application/pdf",
        body: new Uint8Array(pdf.buffer, pdf.byteOffset, pdf.byteLength),
        metadata: {
          pageCount: countPdfPages(pdf),
          format: options.format,
          landscape: options.landscape,
          blockedRequests: blockedRequests.list(),
        },
      });
      ctx.reportProgress(100, "store");
    },
    async warmUp() {
      await loadChromiumDriver();
    },
    async close() {
      if (ownsPool) await pool.close();
    },
  });
};
