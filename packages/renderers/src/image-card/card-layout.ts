import { shippedFontFamily } from "../svg/shipped-fonts.ts";
import type { CardPalette } from "./theme.ts";

/**
 * A satori element: the `{type, props}` shape React elements have, built without React.
 * `key` names the boxes whose measured layout the fitting step reads back.
 */
export interface CardNode {
  type: "div";
  key?: string;
  props: { style: Record<string, string | number>; children?: CardNode[] | string };
}

/** Font sizes (px) of one layout attempt. */
export interface CardFontSizes {
  title: number;
  subtitle: number;
  eyebrow: number;
}

/** Everything one layout attempt depends on. */
export interface CardLayoutSpec {
  width: number;
  height: number;
  title: string;
  subtitle?: string | undefined;
  eyebrow?: string | undefined;
  palette: CardPalette;
  fontSizes: CardFontSizes;
  /** Last resort for tiny canvases: cut blocks to this many lines with an ellipsis. */
  maxLines?: { title?: number; subtitle?: number };
}

/** Key of the box holding all text: the fitting step compares its height with {@link cardMetrics}. */
export const contentKey = "content";

/**
 * Spacing that scales with the canvas. `unit` is 1 for a 1200×630 OG card and grows with
 * the area, so a square card gets proportionally larger type, not just more empty space;
 * the width caps it, or a tall story card would set three words a line.
 */
export const cardMetrics = (width: number, height: number) => {
  const unit = Math.min(Math.sqrt((width * height) / (1200 * 630)), (width / 1200) * 1.3);
  const padding = Math.round(Math.min(128, Math.max(16, Math.min(width, height) * 0.115)));
  const stripe = Math.max(4, Math.round(12 * unit));
  return {
    unit,
    padding,
    stripe,
    contentWidth: width - stripe - 2 * padding,
    contentHeight: height - 2 * padding,
    /** The sizes a short title gets; the fitting step only ever shrinks from here. */
    baseFontSizes: {
      title: Math.round(76 * unit),
      subtitle: Math.round(34 * unit),
      eyebrow: Math.round(24 * unit),
    } satisfies CardFontSizes,
  };
};

const textBlock = (
  key: string,
  text: string,
  style: Record<string, string | number>,
  maxLines: number | undefined,
): CardNode => ({
  type: "div",
  key,
  props: {
    style: {
      // Blocks keep their natural height (no flex shrinking), so an overflow shows up in
      // the measured content height instead of being silently squeezed.
      flexShrink: 0,
      // Long words (URLs, identifiers) break instead of running off the card.
      wordBreak: "break-word",
      ...(maxLines ? { display: "block", lineClamp: maxLines } : {}),
      ...style,
    },
    children: text,
  },
});

/** The card as a satori tree: an accent stripe on the left, then eyebrow, title and subtitle, centred vertically. */
export const buildCardTree = (spec: CardLayoutSpec): CardNode => {
  const { palette, fontSizes } = spec;
  const metrics = cardMetrics(spec.width, spec.height);
  const blocks: CardNode[] = [];
  if (spec.eyebrow) {
    blocks.push(
      textBlock(
        "eyebrow",
        spec.eyebrow,
        {
          fontSize: fontSizes.eyebrow,
          fontWeight: 600,
          letterSpacing: fontSizes.eyebrow * 0.14,
          textTransform: "uppercase",
          lineHeight: 1.3,
          color: palette.accent,
          marginBottom: Math.round(fontSizes.title * 0.32),
        },
        1,
      ),
    );
  }
  blocks.push(
    textBlock(
      "title",
      spec.title,
      {
        fontSize: fontSizes.title,
        fontWeight: 800,
        // Inter's display sizes read better slightly tightened.
        letterSpacing: -0.022 * fontSizes.title,
        lineHeight: 1.12,
        color: palette.foreground,
      },
      spec.maxLines?.title,
    ),
  );
  if (spec.subtitle && spec.maxLines?.subtitle !== 0) {
    blocks.push(
      textBlock(
        "subtitle",
        spec.subtitle,
        {
          fontSize: fontSizes.subtitle,
          fontWeight: 400,
          lineHeight: 1.4,
          color: palette.muted,
          marginTop: Math.round(fontSizes.title * 0.36),
        },
        spec.maxLines?.subtitle,
      ),
    );
  }
  return {
    type: "div",
    props: {
      style: {
        display: "flex",
        flexDirection: "row",
        // Centres the content vertically at its natural height, which the fitting step measures.
        alignItems: "center",
        width: spec.width,
        height: spec.height,
        fontFamily: shippedFontFamily,
        // Flat on purpose: satori draws gradients as SVG patterns, which doubled resvg's
        // rasterizing time for a barely visible tint.
        backgroundColor: palette.background,
      },
      children: [
        {
          type: "div",
          props: { style: { width: metrics.stripe, height: "100%", backgroundColor: palette.accent } },
        },
        {
          type: "div",
          key: contentKey,
          props: {
            style: {
              display: "flex",
              flexDirection: "column",
              flexShrink: 0,
              width: metrics.contentWidth,
              marginLeft: metrics.padding,
            },
            children: blocks,
          },
        },
      ],
    },
  };
};
