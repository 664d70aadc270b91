import type { RenderContext, Renderer } from "@kiln/core";

/**
 * Runs a renderer's whole attempt in this process, both steps (`render`, then `finishOnLoop`), as a
 * test or benchmark calling it directly wants. The worker runs `render` in an isolated thread instead.
 */
export const renderToEnd = async (renderer: Renderer, input: unknown, ctx: RenderContext): Promise<void> => {
  const prepared = await renderer.render(input, ctx);
  if (renderer.finishOnLoop) await renderer.finishOnLoop(prepared, ctx);
};
