import { type Logger, RenderError } from "@kiln/core";
import { shippedFontFamily } from "../svg/shipped-fonts.ts";
import { installEvaluationGuards, trackEvaluation } from "./evaluation-budget.ts";
import { createRefusingLoader } from "./refusing-loader.ts";
import { createVegaLogger } from "./vega-logger.ts";

/** Options of {@link renderChartSvg}. */
export interface RenderChartSvgOptions {
  /** Overrides the chart's background colour. Default: the spec's own (Vega-Lite's is white). */
  background?: string | undefined;
  signal: AbortSignal;
  logger: Logger;
  /** Called as each stage starts, for progress reports. */
  onStage?: (stage: "compile" | "render") => void;
}

export interface ChartSvg {
  svg: string;
  width: number;
  height: number;
}

/**
 * Text defaults that make the SVG use the font Kiln ships (so a PNG of it matches),
 * falling back to any sans-serif in a browser. A spec's own `config` still wins.
 */
const kilnConfig = { font: `${shippedFontFamily}, sans-serif` };

const invalidSpec = (error: unknown): RenderError =>
  error instanceof RenderError
    ? error
    : new RenderError(
        "invalid_spec",
        `invalid Vega-Lite spec: ${error instanceof Error ? error.message : String(error)}`,
        {
          retryable: false,
          cause: error,
        },
      );

/**
 * Compiles a Vega-Lite spec and renders it to an SVG string with vega's headless
 * renderer. vega and vega-lite load on first use (they are large and the API never needs
 * them). Nothing is fetched: see createRefusingLoader.
 */
export const renderChartSvg = async (spec: object, options: RenderChartSvgOptions): Promise<ChartSvg> => {
  const { signal } = options;
  const [vega, vegaLite] = await Promise.all([import("vega"), import("vega-lite")]);
  signal.throwIfAborted();
  installEvaluationGuards(vega);
  const logger = createVegaLogger(options.logger);

  options.onStage?.("compile");
  let runtime: ReturnType<typeof vega.parse>;
  try {
    // vega-lite's types describe its own spec shape; the input schema vetted the rest.
    const compiled = vegaLite.compile(spec as Parameters<typeof vegaLite.compile>[0], {
      config: kilnConfig,
      logger,
    });
    // On the spec, not as a View option: the compiled spec's own background would win.
    if (options.background) compiled.spec.background = options.background;
    runtime = vega.parse(compiled.spec);
  } catch (error) {
    throw invalidSpec(error);
  }
  signal.throwIfAborted();

  options.onStage?.("render");
  const refusing = createRefusingLoader();
  const view = new vega.View(runtime, {
    renderer: "none",
    loader: refusing.loader,
    logger,
  });
  // vega logs an error raised while it evaluates and carries on; the budget remembers it.
  const evaluation = trackEvaluation(view);
  try {
    // The View constructor has already asked the loader for every data URL (vega preloads
    // them): fail before running a dataflow that would draw the chart without its data.
    if (refusing.attempts.length > 0) throw refusing.error();
    await view.runAsync();
    evaluation.throwIfExceeded();
    signal.throwIfAborted();
    const svg = await view.toSVG();
    evaluation.throwIfExceeded();
    if (refusing.attempts.length > 0) throw refusing.error();
    signal.throwIfAborted();
    // Read from the root tag alone, one attribute at a time: linear, whatever the tag holds.
    const rootTag = svg.slice(0, svg.indexOf(">") + 1);
    const width = /\swidth="([\d.]+)"/.exec(rootTag)?.[1];
    const height = /\sheight="([\d.]+)"/.exec(rootTag)?.[1];
    return { svg, width: Number(width ?? 0), height: Number(height ?? 0) };
  } catch (error) {
    // A cancel surfaces as itself (the worker reports "cancelled"), not as a bad spec.
    signal.throwIfAborted();
    throw invalidSpec(error);
  } finally {
    view.finalize();
  }
};
