import { afterEach, describe, expect, it, vi } from "vitest";
import { z } from "zod";
import { readPngSize } from "../svg/png-size.ts";
import { findXmlError } from "../svg/xml-well-formedness.ts";
import { artifactBytes, artifactText, createTestRenderContext } from "../testing/index.ts";
import { createImageCardRenderer } from "./image-card-renderer.ts";
import { sampleInput } from "./sample-input.ts";

const card = createImageCardRenderer();
const parse = (input: unknown) => card.inputSchema.parse(input);

const render = async (input: unknown) => {
  const test = createTestRenderContext();
  await card.render(parse(input), test.ctx);
  expect(test.artifacts).toHaveLength(1);
  return { ...test, artifact: test.artifacts[0]! };
};

afterEach(() => {
  vi.restoreAllMocks();
});

describe("image.card", () => {
  it.each([
    ["og", 1200, 630],
    ["square", 1080, 1080],
    ["story", 1080, 1920],
  ] as const)("renders the %s preset as a %i×%i PNG", async (size, width, height) => {
    const { artifact, progress } = await render({ ...sampleInput, size, format: "png" });
    expect(artifact.name).toBe("card.png");
    expect(artifact.contentType).toBe("image/png");
    expect(readPngSize(artifactBytes(artifact))).toEqual({ width, height });
    expect(artifact.metadata).toMatchObject({
      width,
      height,
      format: "png",
      titleFontSize: expect.any(Number),
    });
    expect(progress.map((p) => p.stage)).toEqual(["layout", "rasterize", "store"]);
    const values = progress.map((p) => p.progress);
    expect([...values].sort((a, b) => a - b)).toEqual(values);
  });

  it("renders a custom size, and defaults to an og PNG with the light theme", async () => {
    const custom = await render({ title: "Custom", size: { width: 640, height: 320 } });
    expect(readPngSize(artifactBytes(custom.artifact))).toEqual({ width: 640, height: 320 });
    const defaults = parse({ title: "Defaults" });
    expect(defaults).toMatchObject({ size: "og", format: "png", theme: "light" });
  });

  it("writes a well-formed, self-contained SVG with the canvas size", async () => {
    const { artifact, progress } = await render({ ...sampleInput, format: "svg", size: "square" });
    expect(artifact).toMatchObject({ name: "card.svg", contentType: "image/svg+xml" });
    const svg = artifactText(artifact);
    expect(svg.startsWith("<svg")).toBe(true);
    expect(svg).toMatch(/^<svg[^>]*\swidth="1080"[^>]*\sheight="1080"/);
    expect(findXmlError(svg)).toBeUndefined();
    // Text is drawn as outlines: the SVG needs no font, and links to nothing outside.
    expect(svg).not.toMatch(/<text|<image|href="http/);
    expect(artifact.metadata).toMatchObject({ width: 1080, height: 1080, format: "svg" });
    expect(progress.map((p) => p.stage)).toEqual(["layout", "store"]);
  });

  it("paints the theme's colours, brand colours included", async () => {
    const brand = { background: "#102030", foreground: "#F0E0D0", accent: "#c33" };
    const svg = artifactText((await render({ ...sampleInput, format: "svg", theme: brand })).artifact);
    expect(svg).toContain('fill="#102030"');
    expect(svg).toContain('fill="#f0e0d0"');
    expect(svg).toContain('fill="#cc3333"');
    const dark = artifactText((await render({ ...sampleInput, format: "svg", theme: "dark" })).artifact);
    expect(dark).toContain('fill="#0b1120"');
    expect(dark).not.toContain('fill="#ffffff"');
  });

  it("never fetches: text the shipped font lacks (emoji, CJK) is left out and reported", async () => {
    const fetchSpy = vi.spyOn(globalThis, "fetch");
    const { artifact } = await render({
      title: "Launch day 🚀 発売日",
      subtitle: "Ünïcödé Ελληνικά Кириллица",
    });
    expect(fetchSpy).not.toHaveBeenCalled();
    expect(readPngSize(artifactBytes(artifact))).toEqual({ width: 1200, height: 630 });
    expect(artifact.metadata?.droppedText).toEqual(expect.arrayContaining(["🚀", "発売日"]));
    // Latin with diacritics, Greek and Cyrillic are in the font: nothing else was dropped.
    expect(artifact.metadata?.droppedText).toHaveLength(2);
    const plain = await render({ title: "Launch day" });
    expect(plain.artifact.metadata).not.toHaveProperty("droppedText");
  });

  it("fails without retry when the title has nothing the font can draw", async () => {
    const { ctx } = createTestRenderContext();
    await expect(card.render(parse({ title: "🚀🚀 🎉" }), ctx)).rejects.toMatchObject({
      code: "unsupported_characters",
      retryable: false,
    });
  });

  it("rejects bad colours, sizes and text with a path per violation", () => {
    const result = card.inputSchema.safeParse({
      title: "   ",
      eyebrow: "x".repeat(101),
      theme: { background: "#fff", foreground: "red", accent: "#12345" },
      size: { width: 2400, height: 2400 },
      format: "gif",
    });
    expect(result.success).toBe(false);
    const paths = result.error!.issues.map((issue) => issue.path.join("."));
    expect(paths).toEqual(
      expect.arrayContaining([
        "title",
        "eyebrow",
        "theme.foreground",
        "theme.accent",
        "size.height",
        "format",
      ]),
    );
    expect(card.inputSchema.safeParse({ title: "x".repeat(301) }).success).toBe(false);
    expect(card.inputSchema.safeParse({ title: "ok", size: { width: 199, height: 300 } }).success).toBe(
      false,
    );
    expect(card.inputSchema.safeParse({ title: "ok", theme: "sepia" }).success).toBe(false);
    expect(card.inputSchema.safeParse({ title: "ok", unknown: 1 }).success).toBe(false);
  });

  it("converts to JSON Schema with bounds on every string and number", () => {
    const schema = z.toJSONSchema(card.inputSchema, { io: "input" });
    expect(schema).toMatchObject({
      type: "object",
      required: ["title"],
      properties: {
        title: { maxLength: 300, minLength: 1 },
        subtitle: { maxLength: 500 },
        eyebrow: { maxLength: 100 },
        format: { default: "png" },
      },
    });
    expect(JSON.stringify(schema)).toContain('"maximum":2400');
  });

  it("stops before rendering when the job is already cancelled", async () => {
    const { ctx, abort, artifacts } = createTestRenderContext();
    const reason = new Error("cancelled");
    abort(reason);
    await expect(card.render(parse(sampleInput), ctx)).rejects.toBe(reason);
    expect(artifacts).toHaveLength(0);
  });
});
