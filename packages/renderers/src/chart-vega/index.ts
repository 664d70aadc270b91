export { createChartVegaRenderer, maxChartPngPixels } from "./chart-vega-renderer.ts";
export { chartSpecLimits, findSpecViolations, type SpecViolation } from "./inspect-spec.ts";
export { sampleInput } from "./sample-input.ts";
export { type ChartVegaInput, chartVegaInputSchema } from "./schema.ts";
