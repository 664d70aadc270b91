import { z } from "zod";
import { hexColorSchema } from "../svg/hex-color.ts";
import { chartEvaluationLimits } from "./evaluation-budget.ts";
import { chartSpecLimits, findSpecViolations } from "./inspect-spec.ts";

// A loose object keeps `z.toJSONSchema` working (the refinement below is validation
// only and has no JSON Schema form) while every violation still gets its own path.
const vegaLiteSpecSchema = z
  .looseObject({})
  .superRefine((spec, ctx) => {
    for (const violation of findSpecViolations(spec)) {
      ctx.addIssue({ code: "custom", path: violation.path, message: violation.message, input: spec });
    }
  })
  .describe(
    `A Vega-Lite spec (https://vega.github.io/vega-lite/). Data must be inline (data.values, datasets): ` +
      `any "url" is refused. At most ${chartSpecLimits.maxDataRows} data rows, ` +
      `${chartSpecLimits.maxSpecChars} characters of JSON, width and height of ${chartSpecLimits.maxDimension} px, ` +
      `${chartSpecLimits.maxTicks} ticks per axis, and ${chartSpecLimits.maxDataRows} elements per sequence, ` +
      `bin list or density curve; a chart whose transforms generate more than ` +
      `${chartEvaluationLimits.maxGeneratedValues} rows and values fails with chart_too_large.`,
  );

export const chartVegaInputSchema = z
  .object({
    spec: vegaLiteSpecSchema,
    format: z.enum(["svg", "png"]).default("svg").describe('"svg" (default) or "png".'),
    scale: z
      .number()
      .min(0.5)
      .max(4)
      .default(2)
      .describe("PNG only: pixels per SVG unit (0.5–4, default 2, crisp on high-density screens)."),
    background: z
      .union([hexColorSchema, z.literal("transparent")])
      .optional()
      .describe('Background colour (hex, or "transparent"); default: the spec\'s own, else white.'),
  })
  .strict()
  .describe("A chart from a Vega-Lite spec with inline data, as chart.svg or chart.png.");

export type ChartVegaInput = z.output<typeof chartVegaInputSchema>;
