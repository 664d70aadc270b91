import type { z } from "zod";
import { sampleInput as markdownSample } from "../markdown-html/sample-input.ts";
import type { documentPdfInputSchema } from "./schema.ts";

/** A representative input, used by the benchmark and as documentation. */
export const sampleInput: z.input<typeof documentPdfInputSchema> = {
  markdown: markdownSample.markdown,
  title: "Release notes",
  format: "A4",
  footerTemplate:
    '<div style="font-size:9px;width:100%;text-align:center"><span class="pageNumber"></span> / <span class="totalPages"></span></div>',
};
