import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";

/**
 * The font every graphic renderer uses: Inter, shipped as static TTF files by the
 * `@expo-google-fonts/inter` npm package. TTF (not the WOFF2 of @fontsource) because
 * satori reads TTF/OTF/WOFF only and resvg reads TTF/OTF only; one file set serves both.
 * The files cover Latin, Latin Extended, Greek, Cyrillic and Vietnamese.
 */
export const shippedFontFamily = "Inter";

export type ShippedFontWeight = 400 | 500 | 600 | 700 | 800;

const fileStems: Record<ShippedFontWeight, string> = {
  400: "400Regular",
  500: "500Medium",
  600: "600SemiBold",
  700: "700Bold",
  800: "800ExtraBold",
};

const require = createRequire(import.meta.url);

/** Absolute path of the shipped font file for one weight, resolved from node_modules (never the network). */
export const shippedFontPath = (weight: ShippedFontWeight): string => {
  const stem = fileStems[weight];
  return require.resolve(`@expo-google-fonts/inter/${stem}/Inter_${stem}.ttf`);
};

/** A loaded font, in the shape satori's `fonts` option takes. */
export interface ShippedFont {
  name: string;
  data: Buffer;
  weight: ShippedFontWeight;
  style: "normal";
}

// Keyed by the weight list so each combination is read once per process. Satori caches
// its parsed fonts per `fonts` array identity, so handing back the same array matters too.
const loaded = new Map<string, Promise<ShippedFont[]>>();

/** Reads the shipped font files for `weights` once, then serves them from memory. */
export const loadShippedFonts = (weights: readonly ShippedFontWeight[]): Promise<ShippedFont[]> => {
  const key = weights.join(",");
  let fonts = loaded.get(key);
  if (!fonts) {
    fonts = Promise.all(
      weights.map(async (weight) => ({
        name: shippedFontFamily,
        data: await readFile(shippedFontPath(weight)),
        weight,
        style: "normal" as const,
      })),
    );
    // A failed read (a broken install) must not be cached forever: the next job retries.
    fonts.catch(() => loaded.delete(key));
    loaded.set(key, fonts);
  }
  return fonts;
};
