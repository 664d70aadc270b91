import { describe, expect, it } from "vitest";
import { artifactText, createTestRenderContext } from "../testing/index.ts";
import { cardMetrics } from "./card-layout.ts";
import { fitCardLayout } from "./fit-card.ts";
import { createImageCardRenderer } from "./image-card-renderer.ts";
import { resolveCardPalette } from "./theme.ts";

const palette = resolveCardPalette("light");
const longTitle =
  `${"Queue-backed rendering, streamed live to every dashboard that follows it; ".repeat(4)}`.slice(0, 300);
const longSubtitle = "Submit a job, follow it over Server-Sent Events, then download the artifact. "
  .repeat(6)
  .slice(0, 500);

/** Every coordinate of the glyph outlines satori drew in `colors` (text is paths, absolute coordinates). */
const textPoints = (svg: string, colors: string[]) => {
  const points: { x: number; y: number }[] = [];
  for (const [, fill, d] of svg.matchAll(/<path fill="(#[\da-f]{6})" d="([^"]*)"/g)) {
    if (!colors.includes(fill!)) continue;
    const numbers = d!.match(/-?\d+(?:\.\d+)?/g)!.map(Number);
    for (let i = 0; i + 1 < numbers.length; i += 2) points.push({ x: numbers[i]!, y: numbers[i + 1]! });
  }
  return points;
};

describe("fitting the card's text", () => {
  it("keeps the base size for a short title and shrinks a 300-character one until it fits", async () => {
    const short = await fitCardLayout({ width: 1200, height: 630, title: "Short title", palette });
    const long = await fitCardLayout({
      width: 1200,
      height: 630,
      title: longTitle,
      subtitle: longSubtitle,
      palette,
    });
    expect(short.fontSizes.title).toBe(cardMetrics(1200, 630).baseFontSizes.title);
    expect(long.fontSizes.title).toBeLessThan(short.fontSizes.title * 0.75);
    expect(long.truncated).toBe(false);
    expect(long.contentHeight).toBeLessThanOrEqual(long.availableHeight);
    // The largest size that fits: one step up (8%) would not.
    expect(long.contentHeight).toBeGreaterThan(long.availableHeight * 0.8);
  });

  it.each([
    ["og", 1200, 630],
    ["story", 1080, 1920],
    ["custom wide", 2400, 400],
    ["custom tiny", 200, 200],
  ] as const)(
    "draws every glyph of a 300-character title inside the %s canvas",
    async (_name, width, height) => {
      const { ctx, artifacts } = createTestRenderContext();
      await createImageCardRenderer().render(
        {
          title: longTitle,
          subtitle: longSubtitle,
          eyebrow: "Release notes",
          theme: "light",
          size: { width, height },
          format: "svg",
        },
        ctx,
      );
      const svg = artifactText(artifacts[0]!);
      const points = textPoints(svg, [palette.foreground, palette.muted, palette.accent]);
      expect(points.length).toBeGreaterThan(100);
      const { padding } = cardMetrics(width, height);
      const xs = points.map((point) => point.x);
      const ys = points.map((point) => point.y);
      expect(Math.min(...xs)).toBeGreaterThanOrEqual(0);
      expect(Math.max(...xs)).toBeLessThanOrEqual(width);
      // Glyphs may overshoot their line box a little, never the margin.
      expect(Math.min(...ys)).toBeGreaterThanOrEqual(padding / 2);
      expect(Math.max(...ys)).toBeLessThanOrEqual(height - padding / 2);
    },
  );

  it("cuts text with an ellipsis only when even the smallest type cannot fit", async () => {
    const tiny = await fitCardLayout({
      width: 200,
      height: 200,
      title: longTitle,
      subtitle: longSubtitle,
      eyebrow: "Release notes",
      palette,
    });
    expect(tiny.truncated).toBe(true);
    expect(tiny.contentHeight).toBeLessThanOrEqual(tiny.availableHeight);
  });
});
