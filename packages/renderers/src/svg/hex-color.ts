import { z } from "zod";

/** `#rgb` or `#rrggbb`: what brand guides hand out, and what the card's colour mixing understands. */
export const hexColorSchema = z
  .string()
  .max(7)
  .regex(/^#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6})$/, "must be a hex colour such as #1a2b3c or #fff");

/** Expands `#abc` to `#aabbcc` and lower-cases, so later arithmetic sees one form. */
export const normalizeHexColor = (color: string): string => {
  const hex = color.slice(1).toLowerCase();
  return hex.length === 3 ? `#${[...hex].map((digit) => digit + digit).join("")}` : `#${hex}`;
};

/** Mixes `from` towards `to` by `amount` (0 = from, 1 = to), in sRGB: enough for muted text and tints. */
export const mixHexColors = (from: string, to: string, amount: number): string => {
  const a = normalizeHexColor(from);
  const b = normalizeHexColor(to);
  const channel = (hex: string, index: number) =>
    Number.parseInt(hex.slice(1 + index * 2, 3 + index * 2), 16);
  const mixed = [0, 1, 2].map((index) =>
    Math.round(channel(a, index) + (channel(b, index) - channel(a, index)) * amount)
      .toString(16)
      .padStart(2, "0"),
  );
  return `#${mixed.join("")}`;
};
