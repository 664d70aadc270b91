// Type-only imports: the client never loads a renderer (vega, satori, playwright) at run time.
// The schemas are reached by path because @kiln/renderers exports only its runtime registry.
import type { SubmitJobBody } from "@kiln/core";
import type { z } from "zod";
import type { canaryInputSchema } from "../../renderers/src/canary/schema.ts";
import type { chartVegaInputSchema } from "../../renderers/src/chart-vega/schema.ts";
import type { documentPdfInputSchema } from "../../renderers/src/document-pdf/schema.ts";
import type { imageCardInputSchema } from "../../renderers/src/image-card/schema.ts";
import type { markdownHtmlInputSchema } from "../../renderers/src/markdown-html/schema.ts";

/**
 * The `input` each job type accepts, as the caller writes it (`z.input`: defaults may be left out).
 * One line per renderer; the schemas themselves stay the single source of truth.
 */
export interface JobInputs {
  canary: z.input<typeof canaryInputSchema>;
  "markdown.html": z.input<typeof markdownHtmlInputSchema>;
  "document.pdf": z.input<typeof documentPdfInputSchema>;
  "image.card": z.input<typeof imageCardInputSchema>;
  "chart.vega": z.input<typeof chartVegaInputSchema>;
}

/** A job type this client knows the input of. */
export type JobType = keyof JobInputs;

/** A submit body whose `input` is checked against the schema of its `jobType`. */
export type TypedSubmitBody<T extends JobType = JobType> = {
  [K in T]: Omit<SubmitJobBody, "jobType" | "input"> & { jobType: K; input: JobInputs[K] };
}[T];
