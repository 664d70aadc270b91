import { defineRenderer, RenderError } from "@kiln/core";
import { rasterizeSvg } from "../svg/rasterize-svg.ts";
import { type ShippedFontWeight, shippedFontFamily, shippedFontPath } from "../svg/shipped-fonts.ts";
import { renderChartSvg } from "./render-chart-svg.ts";
import { chartVegaInputSchema } from "./schema.ts";

/** Largest PNG the renderer produces (width × height after scaling): bounds worker memory. */
export const maxChartPngPixels = 25_000_000;

// vega sets titles in bold and labels in regular weight; medium and semibold cover
// specs that ask for them.
const fontWeights: ShippedFontWeight[] = [400, 500, 600, 700];

/**
 * The `chart.vega` job type: a Vega-Lite spec compiled by vega-lite, drawn by vega's
 * headless SVG renderer and, for PNG, rasterized by resvg with the shipped Inter font.
 * Inline data only: URLs are refused by the schema and, at render time, by the loader.
 */
export const createChartVegaRenderer = () =>
  defineRenderer({
    jobType: "chart.vega",
    description: "Chart from a Vega-Lite spec with inline data, as chart.svg (default) or chart.png.",
    inputSchema: chartVegaInputSchema,
    // vega keeps every generated row in memory: the heap cap backs the row budget.
    limits: { timeoutMs: 15_000, memoryMb: 512 },
    async render(input, ctx) {
      ctx.signal.throwIfAborted();
      const chart = await renderChartSvg(input.spec, {
        background: input.background,
        signal: ctx.signal,
        logger: ctx.logger,
        onStage: (stage) => ctx.reportProgress(stage === "compile" ? 5 : 30, stage),
      });
      if (input.format === "svg") {
        ctx.reportProgress(80, "store");
        await ctx.writeArtifact({
          name: "chart.svg",
          contentType: "image/svg+xml",
          body: chart.svg,
          metadata: { width: chart.width, height: chart.height, format: "svg" },
        });
        return;
      }
      const pixels = chart.width * chart.height * input.scale ** 2;
      if (pixels > maxChartPngPixels) {
        throw new RenderError(
          "chart_too_large",
          `the PNG would be ${Math.round(chart.width * input.scale)}×${Math.round(chart.height * input.scale)} pixels; ` +
            `at most ${maxChartPngPixels} pixels are allowed: lower scale, width or height`,
          { retryable: false },
        );
      }
      ctx.reportProgress(60, "rasterize");
      const png = await rasterizeSvg(chart.svg, {
        scale: input.scale,
        fontFiles: fontWeights.map(shippedFontPath),
        defaultFontFamily: shippedFontFamily,
        signal: ctx.signal,
      });
      ctx.signal.throwIfAborted();
      ctx.reportProgress(85, "store");
      await ctx.writeArtifact({
        name: "chart.png",
        contentType: "image/png",
        body: png.png,
        metadata: { width: png.width, height: png.height, format: "png" },
      });
    },
  });
