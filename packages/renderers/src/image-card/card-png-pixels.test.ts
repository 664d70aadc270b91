import { inflateSync } from "node:zlib";
import { renderAsync } from "@resvg/resvg-js";
import { describe, expect, it } from "vitest";
import { rasterizeSvg } from "../svg/rasterize-svg.ts";
import { fitCardLayout } from "./fit-card.ts";
import { sampleInput } from "./sample-input.ts";
import { resolveCardPalette } from "./theme.ts";

/** RGBA pixels of an 8-bit RGBA, non-interlaced PNG (what resvg and rasterizeSvg write), all five row filters. */
const decodeRgbaPng = (png: Uint8Array): { width: number; height: number; rgba: Uint8Array } => {
  const view = new DataView(png.buffer, png.byteOffset, png.byteLength);
  const idat: Uint8Array[] = [];
  let width = 0;
  let height = 0;
  for (let offset = 8; offset < png.length; ) {
    const length = view.getUint32(offset);
    const type = String.fromCharCode(...png.subarray(offset + 4, offset + 8));
    const data = png.subarray(offset + 8, offset + 8 + length);
    if (type === "IHDR") {
      width = view.getUint32(offset + 8);
      height = view.getUint32(offset + 12);
      expect([...data.subarray(8)]).toEqual([8, 6, 0, 0, 0]);
    }
    if (type === "IDAT") idat.push(data);
    offset += 12 + length;
  }
  const raw = inflateSync(Buffer.concat(idat));
  const stride = width * 4;
  const rgba = new Uint8Array(stride * height);
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)]!;
    for (let x = 0; x < stride; x++) {
      const value = raw[y * (stride + 1) + 1 + x]!;
      const left = x >= 4 ? rgba[y * stride + x - 4]! : 0;
      const up = y > 0 ? rgba[(y - 1) * stride + x]! : 0;
      const upLeft = x >= 4 && y > 0 ? rgba[(y - 1) * stride + x - 4]! : 0;
      const paeth = () => {
        const p = left + up - upLeft;
        const [pa, pb, pc] = [Math.abs(p - left), Math.abs(p - up), Math.abs(p - upLeft)];
        return pa <= pb && pa <= pc ? left : pb <= pc ? up : upLeft;
      };
      const predictor = [0, left, up, (left + up) >> 1, filter === 4 ? paeth() : 0][filter]!;
      rgba[y * stride + x] = (value + predictor) & 255;
    }
  }
  return { width, height, rgba };
};

describe("the card's PNG", () => {
  it.each([
    ["og", 1200, 630, "light"],
    ["tiny, dark", 200, 200, "dark"],
  ] as const)(
    "has exactly the pixels resvg's own encoder writes (%s)",
    async (_name, width, height, theme) => {
      const card = await fitCardLayout({
        width,
        height,
        title: sampleInput.title,
        subtitle: sampleInput.subtitle,
        eyebrow: sampleInput.eyebrow,
        palette: resolveCardPalette(theme),
      });
      const ours = decodeRgbaPng((await rasterizeSvg(card.svg)).png);
      const image = await renderAsync(card.svg, { font: { loadSystemFonts: false }, logLevel: "off" });
      const resvgs = decodeRgbaPng(image.asPng());
      expect({ width: ours.width, height: ours.height }).toEqual({ width, height });
      expect(Buffer.from(ours.rgba).equals(Buffer.from(resvgs.rgba))).toBe(true);
    },
  );
});
