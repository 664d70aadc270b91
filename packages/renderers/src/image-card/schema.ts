import { z } from "zod";
import { hexColorSchema } from "../svg/hex-color.ts";

/** Named sizes, in pixels: the common social formats. */
export const cardSizePresets = {
  og: { width: 1200, height: 630 },
  square: { width: 1080, height: 1080 },
  story: { width: 1080, height: 1920 },
} as const;

/** Upper bound on width × height of a custom size: keeps one render's memory and time bounded. */
export const maxCardPixels = 4_000_000;

const customSizeSchema = z
  .object({
    width: z.int().min(200).max(2400).describe("Width in pixels (200–2400)."),
    height: z.int().min(200).max(2400).describe("Height in pixels (200–2400)."),
  })
  .strict()
  .refine((size) => size.width * size.height <= maxCardPixels, {
    message: `width × height must be at most ${maxCardPixels} pixels`,
    path: ["height"],
  })
  .describe(`A custom size; width × height at most ${maxCardPixels} pixels.`);

const customThemeSchema = z
  .object({
    background: hexColorSchema.describe("Background colour, hex (#rgb or #rrggbb)."),
    foreground: hexColorSchema.describe("Title colour, hex; the subtitle uses a softer mix of it."),
    accent: hexColorSchema.describe("Brand colour of the eyebrow and the edge stripe, hex."),
  })
  .strict()
  .describe("Brand colours.");

export const imageCardInputSchema = z
  .object({
    title: z.string().trim().min(1).max(300).describe("The headline (1–300 characters); shrinks to fit."),
    subtitle: z
      .string()
      .trim()
      .max(500)
      .optional()
      .describe("A line or two under the title (≤ 500 characters)."),
    eyebrow: z
      .string()
      .trim()
      .max(100)
      .optional()
      .describe("A short label above the title, set in spaced capitals (≤ 100 characters)."),
    theme: z
      .union([z.enum(["light", "dark"]), customThemeSchema])
      .default("light")
      .describe('"light" (default), "dark", or brand colours {background, foreground, accent}.'),
    size: z
      .union([z.enum(["og", "square", "story"]), customSizeSchema])
      .default("og")
      .describe(
        'Preset "og" 1200×630 (default), "square" 1080×1080, "story" 1080×1920, or a custom {width, height}.',
      ),
    format: z.enum(["png", "svg"]).default("png").describe('"png" (default) or "svg" (text as outlines).'),
  })
  .strict()
  .describe("A social / Open Graph card: title, optional eyebrow and subtitle, on a themed background.");

export type ImageCardInput = z.output<typeof imageCardInputSchema>;

/** The pixel size an input asks for. */
export const resolveCardSize = (size: ImageCardInput["size"]): { width: number; height: number } =>
  typeof size === "string" ? cardSizePresets[size] : size;
