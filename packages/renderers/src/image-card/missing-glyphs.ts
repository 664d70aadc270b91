import { RenderError } from "@kiln/core";
import type { CardText } from "./fit-card.ts";

/**
 * The card's text without the runs the shipped font cannot draw (emoji, CJK…), which
 * satori would otherwise draw as "NO GLYPH" boxes. `segments` are the runs satori reported
 * through `loadAdditionalAsset`. A title left empty cannot make a card: that input will
 * never render, so the error is not retryable.
 */
export const withoutSegments = (text: CardText, segments: ReadonlySet<string>): CardText => {
  const strip = (value: string | undefined) => {
    if (value === undefined) return undefined;
    let result = value;
    for (const segment of segments) result = result.split(segment).join("");
    return result.replace(/\s{2,}/g, " ").trim() || undefined;
  };
  const title = strip(text.title);
  if (!title) {
    throw new RenderError(
      "unsupported_characters",
      "the title has no character the card's font (Inter: Latin, Greek, Cyrillic, Vietnamese) can draw",
      { retryable: false },
    );
  }
  return { ...text, title, subtitle: strip(text.subtitle), eyebrow: strip(text.eyebrow) };
};
