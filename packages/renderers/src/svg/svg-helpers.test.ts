import { describe, expect, it } from "vitest";
import { hexColorSchema, mixHexColors, normalizeHexColor } from "./hex-color.ts";
import { readPngSize } from "./png-size.ts";
import { rasterizeSvg } from "./rasterize-svg.ts";
import { shippedFontFamily, shippedFontPath } from "./shipped-fonts.ts";
import { findXmlError } from "./xml-well-formedness.ts";

describe("svg helpers", () => {
  it("accepts well-formed SVG and names the first problem of broken SVG", () => {
    expect(
      findXmlError('<svg width="2"><g><path d="M0 0"/></g><text>a &amp; b</text></svg>'),
    ).toBeUndefined();
    expect(findXmlError("<svg><g></svg>")).toMatch(/closes <g>/);
    expect(findXmlError("<svg><g>")).toMatch(/unclosed <g>/);
    expect(findXmlError("<svg><text>a & b</text></svg>")).toMatch(/bare "&"/);
    expect(findXmlError("<svg width=2></svg>")).toMatch(/malformed tag/);
    expect(findXmlError("<svg></svg><svg></svg>")).toMatch(/after the root/);
    expect(findXmlError("just text")).toBe("no root element");
  });

  it("reads PNG dimensions from IHDR and rejects non-PNG bytes", async () => {
    const { png, width, height } = await rasterizeSvg(
      '<svg xmlns="http://www.w3.org/2000/svg" width="30" height="20"><rect width="30" height="20" fill="#f00"/></svg>',
      { scale: 1.5 },
    );
    expect({ width, height }).toEqual({ width: 45, height: 30 });
    expect(readPngSize(png)).toEqual({ width: 45, height: 30 });
    expect(readPngSize(new TextEncoder().encode("<svg></svg> and some padding"))).toBeUndefined();
  });

  it("draws <text> with the shipped font only, never with the machine's fonts", async () => {
    const open = '<svg xmlns="http://www.w3.org/2000/svg" width="120" height="40">';
    const text = `${open}<text x="4" y="28" font-family="Helvetica, sans-serif" font-size="24">Kiln</text></svg>`;
    const empty = await rasterizeSvg(`${open}</svg>`);
    // No font files: resvg has no font at all (system fonts are off), so nothing is drawn.
    expect(Buffer.from((await rasterizeSvg(text)).png).equals(Buffer.from(empty.png))).toBe(true);
    const drawn = await rasterizeSvg(text, {
      fontFiles: [shippedFontPath(400)],
      defaultFontFamily: shippedFontFamily,
    });
    expect(Buffer.from(drawn.png).equals(Buffer.from(empty.png))).toBe(false);
  });

  it("validates, normalizes and mixes hex colours", () => {
    expect(hexColorSchema.safeParse("#AbC").success).toBe(true);
    for (const bad of ["red", "#12345", "#1234567", "abc", "#ggg"]) {
      expect(hexColorSchema.safeParse(bad).success).toBe(false);
    }
    expect(normalizeHexColor("#AbC")).toBe("#aabbcc");
    expect(mixHexColors("#000000", "#ffffff", 0.5)).toBe("#808080");
    expect(mixHexColors("#fff", "#000", 0)).toBe("#ffffff");
  });
});
