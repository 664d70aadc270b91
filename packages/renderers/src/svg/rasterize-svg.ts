import type { ResvgRenderOptions } from "@resvg/resvg-js";

/** Options of {@link rasterizeSvg}. */
export interface RasterizeSvgOptions {
  /** Zoom factor applied to the SVG's own width and height. Default: 1. */
  scale?: number;
  /**
   * Font files resvg may use for `<text>` elements. Default: none (fine for satori's
   * output, whose text is already paths). System fonts are never loaded, so output does
   * not depend on the machine.
   */
  fontFiles?: string[];
  /** Family used when a `<text>` names no family resvg has. Default: resvg's own ("Times New Roman"). */
  defaultFontFamily?: string;
  /** CSS colour painted under the image. Default: none (transparent where the SVG paints nothing). */
  background?: string;
  /** Cancels the rasterization. */
  signal?: AbortSignal;
}

export interface RasterizedPng {
  png: Uint8Array;
  width: number;
  height: number;
}

// Kept after the first load: under a loader hook (tsx) every `import()` is a round trip
// to the hooks thread, a few ms a render.
let resvgModule: Promise<typeof import("@resvg/resvg-js")> | undefined;
const loadResvg = () => {
  resvgModule ??= import("@resvg/resvg-js");
  return resvgModule;
};

/**
 * Renders an SVG string to PNG with resvg, off the main thread (resvg's async render runs
 * on libuv's pool, so a worker keeps answering heartbeats and cancels meanwhile).
 * The caller must have removed external `<image>` references: resvg reads absolute file
 * paths in `href`, and Kiln renderers never read local files.
 */
export const rasterizeSvg = async (
  svg: string,
  options: RasterizeSvgOptions = {},
): Promise<RasterizedPng> => {
  // Loaded on first use so that building the registry (the API does, for schemas only)
  // does not load the native binding.
  const { renderAsync } = await loadResvg();
  const family = options.defaultFontFamily;
  const renderOptions: ResvgRenderOptions = {
    fitTo: { mode: "zoom", value: options.scale ?? 1 },
    font: {
      loadSystemFonts: false,
      fontFiles: options.fontFiles ?? [],
      ...(family ? { defaultFontFamily: family, sansSerifFamily: family } : {}),
    },
    logLevel: "off",
    ...(options.background ? { background: options.background } : {}),
  };
  const image = await renderAsync(svg, renderOptions, options.signal ?? null);
  return { png: new Uint8Array(image.asPng()), width: image.width, height: image.height };
};
