import type { Renderer } from "@kiln/core";

/**
 * Every job type Kiln knows. Adding one is a folder under src/ and one line here.
 * Renderers hold no resources until their first render (the API loads this list too,
 * only for the input schemas).
 */
export interface RendererRegistryOptions {
  /** Options of the Chromium-backed renderers; see document-pdf/. */
  chromium?: Record<string, unknown>;
}

export const createRendererRegistry = (_options: RendererRegistryOptions = {}): Map<string, Renderer> => {
  const renderers: Renderer[] = [];
  return new Map(renderers.map((renderer) => [renderer.jobType, renderer]));
};
