import { loadShippedFonts } from "../svg/shipped-fonts.ts";
import {
  buildCardTree,
  type CardFontSizes,
  type CardLayoutSpec,
  cardMetrics,
  contentKey,
} from "./card-layout.ts";
import { withoutSegments } from "./missing-glyphs.ts";

/** The layout that fit, as satori drew it. */
export interface FittedCard {
  svg: string;
  fontSizes: CardFontSizes;
  /** Measured height of the text block; at most `availableHeight`. */
  contentHeight: number;
  availableHeight: number;
  /** True when even the smallest type did not fit and blocks were cut with an ellipsis. */
  truncated: boolean;
  /** Runs of text left out because the shipped font has no glyphs for them (emoji, CJK…). */
  droppedText: string[];
}

export type CardText = Omit<CardLayoutSpec, "fontSizes" | "maxLines">;

/** Each step shrinks the type by 8%: fine enough to use the space, coarse enough to stay fast. */
const shrinkStep = 0.92;
/** Below 30% of the base size a headline stops reading as one; truncation takes over. */
const minFactor = 0.3;

const fontSizesAt = (base: CardFontSizes, factor: number): CardFontSizes => {
  const title = Math.max(12, Math.round(base.title * factor));
  // Subtitle and eyebrow follow the title down so the hierarchy survives, with floors
  // that keep them legible.
  return {
    title,
    subtitle: Math.max(11, Math.min(base.subtitle, Math.round(title * 0.6))),
    eyebrow: Math.max(10, Math.min(base.eyebrow, Math.round(title * 0.45))),
  };
};

// Loaded on first use (building the registry must not load satori), then kept: under a
// loader hook (tsx) every `import()` is a round trip to the hooks thread, a few ms a render.
let satoriModule: Promise<typeof import("satori")> | undefined;
const loadSatori = () => {
  satoriModule ??= import("satori");
  return satoriModule;
};

const ladder = (): number[] => {
  const factors: number[] = [];
  for (let factor = 1; factor >= minFactor; factor *= shrinkStep) factors.push(factor);
  return factors;
};

/**
 * The ladder step where the text should first fit, from the height measured at the base
 * size: at a fixed width, lines grow with the type size and so does each line, so the
 * height goes roughly with the square of the factor. Only orders the probes: the search
 * still measures every size it picks, so where fitting is monotonic in the size (as the
 * bisection alone assumes) it ends on the same step.
 */
const estimatedStep = (factors: number[], baseHeight: number, availableHeight: number): number => {
  const factor = Math.sqrt(availableHeight / baseHeight);
  const step = factors.findIndex((candidate) => candidate <= factor);
  return step === -1 ? factors.length - 1 : Math.max(1, step);
};

/**
 * Lays the card out with satori at the largest type size whose text block fits the
 * canvas, measuring each attempt with satori itself (so wrapping, kerning and glyph
 * widths are the real ones). Tries the base size first (most cards fit at once), then
 * searches the shrink ladder from an estimate: three satori passes for most long titles,
 * at most about seven.
 */
export const fitCardLayout = async (text: CardText, signal?: AbortSignal): Promise<FittedCard> => {
  const missing = new Set<string>();
  const card = await fitText(text, missing, signal);
  if (missing.size === 0) return { ...card, droppedText: [] };
  // Satori reports glyph-less runs during the first pass; lay out again without them.
  const dropped = [...missing];
  return { ...(await fitText(withoutSegments(text, missing), new Set(), signal)), droppedText: dropped };
};

const fitText = async (
  text: CardText,
  missing: Set<string>,
  signal?: AbortSignal,
): Promise<Omit<FittedCard, "droppedText">> => {
  const [{ default: satori }, fonts] = await Promise.all([loadSatori(), loadShippedFonts([400, 600, 800])]);
  const metrics = cardMetrics(text.width, text.height);
  const availableHeight = metrics.contentHeight;

  const attempt = async (fontSizes: CardFontSizes, maxLines?: CardLayoutSpec["maxLines"]) => {
    signal?.throwIfAborted();
    let contentHeight = Number.POSITIVE_INFINITY;
    const tree = buildCardTree({ ...text, fontSizes, ...(maxLines ? { maxLines } : {}) });
    const svg = await satori(tree as Parameters<typeof satori>[0], {
      width: text.width,
      height: text.height,
      fonts,
      onNodeDetected: (node) => {
        if (node.key === contentKey) contentHeight = node.height;
      },
      // Glyphs Inter lacks (emoji, CJK…) make satori ask for more fonts or emoji images.
      // Renderers never fetch: answer with nothing, and note the run so it can be dropped.
      loadAdditionalAsset: async (_languageCode, segment) => {
        missing.add(segment);
        return [];
      },
    });
    const fits = contentHeight <= availableHeight + 0.5;
    return { svg, fontSizes, contentHeight, availableHeight, fits };
  };

  const factors = ladder();
  const first = await attempt(fontSizesAt(metrics.baseFontSizes, 1));
  // With glyph-less runs reported, this layout is thrown away: don't search any further.
  if (first.fits || missing.size > 0) return { ...first, truncated: false };

  // Invariant: factors[low - 1] does not fit; `best` is the largest fitting one found so far.
  let best: Awaited<ReturnType<typeof attempt>> | undefined;
  let low = 1;
  let high = factors.length - 1;
  // The first two probes are the estimate and its neighbour towards the answer, which
  // settles most long titles in two passes instead of four; bisection takes over after.
  let guess = estimatedStep(factors, first.contentHeight, availableHeight);
  let guidedProbes = 2;
  while (low <= high) {
    const guided = guidedProbes > 0 && guess >= low && guess <= high;
    guidedProbes -= 1;
    const middle = guided ? guess : Math.floor((low + high) / 2);
    const result = await attempt(fontSizesAt(metrics.baseFontSizes, factors[middle]!));
    if (result.fits) {
      best = result;
      high = middle - 1;
    } else {
      low = middle + 1;
    }
    guess = result.fits ? middle - 1 : middle + 1;
  }
  if (best) return { ...best, truncated: false };
  return truncateToFit(text, fontSizesAt(metrics.baseFontSizes, factors.at(-1)!), availableHeight, attempt);
};

type Attempt = (
  fontSizes: CardFontSizes,
  maxLines?: CardLayoutSpec["maxLines"],
) => Promise<Omit<FittedCard, "truncated" | "droppedText"> & { fits: boolean }>;

/** Cuts title and subtitle to the lines that fit at the smallest sizes: only tiny custom canvases get here. */
const truncateToFit = async (
  text: CardText,
  fontSizes: CardFontSizes,
  availableHeight: number,
  attempt: Attempt,
): Promise<Omit<FittedCard, "droppedText">> => {
  // Line heights and margins as card-layout sets them.
  const eyebrowHeight = text.eyebrow ? fontSizes.eyebrow * 1.3 + Math.round(fontSizes.title * 0.32) : 0;
  const titleLine = fontSizes.title * 1.12;
  const subtitleLine = fontSizes.subtitle * 1.4;
  const subtitleMargin = Math.round(fontSizes.title * 0.36);
  const room = availableHeight - eyebrowHeight;
  const subtitleReserve = text.subtitle ? subtitleMargin + subtitleLine : 0;
  let titleLines = Math.max(1, Math.floor((room - subtitleReserve) / titleLine));
  let last: Awaited<ReturnType<Attempt>> | undefined;
  while (titleLines >= 1) {
    const left = room - titleLines * titleLine - subtitleMargin;
    const subtitleLines = text.subtitle ? Math.max(0, Math.floor(left / subtitleLine)) : undefined;
    last = await attempt(fontSizes, { title: titleLines, subtitle: subtitleLines });
    if (last.fits) break;
    titleLines -= 1;
  }
  // Even one title line may not fit a 200 px canvas with an eyebrow; satori's root clips
  // to the canvas, so the output stays well-formed either way.
  return { ...last!, truncated: true };
};
