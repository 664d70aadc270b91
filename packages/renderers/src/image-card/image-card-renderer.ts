import { defineRenderer } from "@kiln/core";
import { rasterizeSvg } from "../svg/rasterize-svg.ts";
import { fitCardLayout } from "./fit-card.ts";
import { imageCardInputSchema, resolveCardSize } from "./schema.ts";
import { resolveCardPalette } from "./theme.ts";

/**
 * The `image.card` job type: a social / Open Graph card drawn by satori (text as
 * outlines, Inter shipped from npm) and rasterized by resvg. No browser, no network:
 * fonts and satori load on the first render, not when the registry is built.
 */
export const createImageCardRenderer = () =>
  defineRenderer({
    jobType: "image.card",
    description:
      "Social / Open Graph card (title, eyebrow, subtitle, theme, size) as card.png or card.svg; long titles shrink to fit.",
    inputSchema: imageCardInputSchema,
    limits: { timeoutMs: 10_000, memoryMb: 256 },
    async render(input, ctx) {
      ctx.signal.throwIfAborted();
      const { width, height } = resolveCardSize(input.size);
      ctx.reportProgress(5, "layout");
      const card = await fitCardLayout(
        {
          width,
          height,
          title: input.title,
          subtitle: input.subtitle,
          eyebrow: input.eyebrow,
          palette: resolveCardPalette(input.theme),
        },
        ctx.signal,
      );
      if (card.truncated) {
        ctx.logger.info({ width, height }, "image.card text cut with an ellipsis: canvas too small for it");
      }
      if (card.droppedText.length > 0) {
        ctx.logger.info({ droppedText: card.droppedText }, "image.card left out text its font cannot draw");
      }
      const metadata = {
        width,
        height,
        format: input.format,
        titleFontSize: card.fontSizes.title,
        // Tells the caller why an emoji or CJK run is missing from the card.
        ...(card.droppedText.length > 0 ? { droppedText: card.droppedText } : {}),
      };
      if (input.format === "svg") {
        ctx.reportProgress(80, "store");
        await ctx.writeArtifact({ name: "card.svg", contentType: "image/svg+xml", body: card.svg, metadata });
        return;
      }
      ctx.reportProgress(50, "rasterize");
      const { png } = await rasterizeSvg(card.svg, { signal: ctx.signal });
      ctx.signal.throwIfAborted();
      ctx.reportProgress(80, "store");
      await ctx.writeArtifact({ name: "card.png", contentType: "image/png", body: png, metadata });
    },
  });
