import { sampleInput as canary } from "./canary/sample-input.ts";
import { sampleInput as chartVega } from "./chart-vega/sample-input.ts";
import { sampleInput as documentPdf } from "./document-pdf/sample-input.ts";
import { sampleInput as imageCard } from "./image-card/sample-input.ts";
import { sampleInput as markdownHtml } from "./markdown-html/sample-input.ts";

/**
 * A representative input per job type: `GET /api/job-types` offers it as the JSON Schema's
 * `examples`, and the dashboard's submit form starts from it.
 */
export const sampleInputs: Readonly<Record<string, unknown>> = {
  canary,
  "markdown.html": markdownHtml,
  "document.pdf": documentPdf,
  "image.card": imageCard,
  "chart.vega": chartVega,
};
