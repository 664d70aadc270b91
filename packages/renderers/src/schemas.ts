// The input schema of every job type, by job type: the one place a type-only consumer (the
// client's `JobInputs`) learns what each job type accepts, without loading any renderer.
// A new job type adds its line here beside its line in registry.ts; registry.test.ts checks both agree.
import { canaryInputSchema } from "./canary/schema.ts";
import { chartVegaInputSchema } from "./chart-vega/schema.ts";
import { documentPdfInputSchema } from "./document-pdf/schema.ts";
import { imageCardInputSchema } from "./image-card/schema.ts";
import { markdownHtmlInputSchema } from "./markdown-html/schema.ts";

export const jobInputSchemas = {
  canary: canaryInputSchema,
  "markdown.html": markdownHtmlInputSchema,
  "document.pdf": documentPdfInputSchema,
  "image.card": imageCardInputSchema,
  "chart.vega": chartVegaInputSchema,
} as const;

export type JobInputSchemas = typeof jobInputSchemas;
