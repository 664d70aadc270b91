import type { Renderer } from "@kiln/core";
import { createCanaryRenderer } from "./canary/index.ts";
import { createChartVegaRenderer } from "./chart-vega/index.ts";
import type { ChromiumOptions } from "./chromium/index.ts";
import { createDocumentPdfRenderer } from "./document-pdf/index.ts";
import { createImageCardRenderer } from "./image-card/index.ts";
import { createMarkdownHtmlRenderer } from "./markdown-html/index.ts";

/**
 * Every job type Kiln knows. Adding one is a folder under src/, one line here and its input
 * schema's line in schemas.ts (the client's types; registry.test.ts checks both agree).
 * Renderers hold no resources until their first render (the API loads this list too,
 * only for the input schemas).
 */
export interface RendererRegistryOptions {
  /** Options of the Chromium-backed renderers (document.pdf); see chromium/chromium-options.ts. */
  chromium?: ChromiumOptions;
}

export const createRendererRegistry = (options: RendererRegistryOptions = {}): Map<string, Renderer> => {
  const renderers: Renderer[] = [
    createCanaryRenderer(),
    createMarkdownHtmlRenderer(),
    createDocumentPdfRenderer({ chromium: options.chromium }),
    createImageCardRenderer(),
    createChartVegaRenderer(),
  ];
  return new Map(renderers.map((renderer) => [renderer.jobType, renderer]));
};
