import { z } from "zod";
import { maxMarkdownHtmlTags } from "../markdown/markdown-limits.ts";
import { markdownSourceSchema, maxMarkdownChars } from "../markdown-html/schema.ts";

/** The API's default body limit is 1 MiB, so a document cannot usefully be larger. */
export const maxHtmlChars = 1_000_000;
export const maxTemplateChars = 10_000;

export const paperFormats = ["A4", "Letter", "Legal", "A3", "A5"] as const;

const cssLength = z
  .string()
  .max(20)
  .regex(/^\d+(\.\d+)?(mm|cm|in|px)$/, 'expected a CSS length in mm, cm, in or px, such as "15mm"');

/** Portrait paper sizes in mm. */
const paperSizesMm: Record<(typeof paperFormats)[number], { width: number; height: number }> = {
  A4: { width: 210, height: 297 },
  Letter: { width: 215.9, height: 279.4 },
  Legal: { width: 215.9, height: 355.6 },
  A3: { width: 297, height: 420 },
  A5: { width: 148, height: 210 },
};

const mmPerUnit: Record<string, number> = { mm: 1, cm: 10, in: 25.4, px: 25.4 / 96 };

/** A length the cssLength schema accepted, in mm. */
const toMm = (length: string): number => {
  const unit = length.slice(-2);
  return Number(length.slice(0, -2)) * (mmPerUnit[unit] ?? 1);
};

const marginSide = (side: string) => cssLength.default("15mm").describe(`${side} margin (default 15mm).`);

const headerFooterTemplate = (which: string) =>
  z
    .string()
    .max(maxTemplateChars)
    .optional()
    .describe(
      `HTML ${which} repeated on every page; \`<span class="pageNumber"></span>\` and \`<span class="totalPages"></span>\` are replaced by the page number and count (also date, title). Style it inline: it has its own tiny default font size. At most ${maxTemplateChars} characters.`,
    );

const exactlyOneSourceMessage = "give exactly one of `markdown` or `html`";

export const documentPdfInputSchema = z
  .object({
    markdown: markdownSourceSchema
      .optional()
      .describe(
        `GitHub-flavoured Markdown, rendered with the markdown.html pipeline and a print stylesheet. Exactly one of markdown or html. At most ${maxMarkdownChars} characters and ${maxMarkdownHtmlTags} HTML tags.`,
      ),
    html: z
      .string()
      .max(maxHtmlChars)
      .optional()
      .describe(
        `A full HTML document, rendered as given with JavaScript off, and no network or file access (only data: URLs load). Exactly one of markdown or html. At most ${maxHtmlChars} characters.`,
      ),
    title: z.string().max(200).optional().describe("Document title (PDF metadata). At most 200 characters."),
    format: z.enum(paperFormats).default("A4").describe("Paper size (default A4)."),
    landscape: z.boolean().default(false).describe("Landscape orientation (default false)."),
    margin: z
      .object({
        top: marginSide("Top"),
        right: marginSide("Right"),
        bottom: marginSide("Bottom"),
        left: marginSide("Left"),
      })
      .strict()
      .default({ top: "15mm", right: "15mm", bottom: "15mm", left: "15mm" })
      .describe("Page margins as CSS lengths (mm, cm, in, px)."),
    printBackground: z
      .boolean()
      .default(true)
      .describe("Print background colours and images (default true)."),
    scale: z.number().min(0.1).max(2).default(1).describe("Rendering scale, 0.1–2 (default 1)."),
    headerTemplate: headerFooterTemplate("header"),
    footerTemplate: headerFooterTemplate("footer"),
  })
  .strict()
  // Checked here rather than with a union so each error names the field at fault; `oneOf`
  // in the metadata gives JSON Schema readers the same rule. `when` makes it run even when
  // another field already failed, so a caller sees every problem at once.
  .superRefine(
    ({ markdown, html }, ctx) => {
      if ((markdown === undefined) !== (html === undefined)) return;
      ctx.addIssue({
        code: "custom",
        path: [markdown === undefined ? "markdown" : "html"],
        message:
          markdown === undefined
            ? `${exactlyOneSourceMessage} (neither was given)`
            : `${exactlyOneSourceMessage}, not both`,
      });
    },
    { when: ({ value }) => typeof value === "object" && value !== null },
  )
  // Chromium cannot print a page whose margins leave no room ("content area is empty").
  .superRefine(({ format, landscape, margin }, ctx) => {
    const paper = paperSizesMm[format];
    const [width, height] = landscape ? [paper.height, paper.width] : [paper.width, paper.height];
    const roomMm = {
      width: width - toMm(margin.left) - toMm(margin.right),
      height: height - toMm(margin.top) - toMm(margin.bottom),
    };
    for (const [dimension, room] of Object.entries(roomMm)) {
      // NaN: a side that is not a length, already reported on its own path.
      if (room >= 1 || Number.isNaN(room)) continue;
      ctx.addIssue({
        code: "custom",
        path: ["margin"],
        message: `the margins leave no room for content: the ${format}${landscape ? " landscape" : ""} page is ${dimension === "width" ? width : height} mm ${dimension === "width" ? "wide" : "high"}`,
      });
    }
  })
  .meta({ oneOf: [{ required: ["markdown"] }, { required: ["html"] }] })
  .describe("Markdown or HTML to print as a PDF in headless Chromium (JavaScript off, no network).");

export type DocumentPdfInput = z.output<typeof documentPdfInputSchema>;
