import { mixHexColors, normalizeHexColor } from "../svg/hex-color.ts";
import type { ImageCardInput } from "./schema.ts";

/** Every colour the card paints, derived from the three a theme names. */
export interface CardPalette {
  background: string;
  foreground: string;
  /** Subtitle colour: the foreground pulled towards the background, still readable. */
  muted: string;
  accent: string;
}

const presets = {
  light: { background: "#ffffff", foreground: "#0f172a", accent: "#4f46e5" },
  dark: { background: "#0b1120", foreground: "#f8fafc", accent: "#818cf8" },
} as const;

export const resolveCardPalette = (theme: ImageCardInput["theme"]): CardPalette => {
  const base = typeof theme === "string" ? presets[theme] : theme;
  const background = normalizeHexColor(base.background);
  const foreground = normalizeHexColor(base.foreground);
  const accent = normalizeHexColor(base.accent);
  return {
    background,
    foreground,
    muted: mixHexColors(foreground, background, 0.32),
    accent,
  };
};
