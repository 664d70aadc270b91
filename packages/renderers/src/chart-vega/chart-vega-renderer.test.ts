import { describe, expect, it } from "vitest";
import { z } from "zod";
import { readPngSize } from "../svg/png-size.ts";
import { findXmlError } from "../svg/xml-well-formedness.ts";
import { artifactBytes, artifactText, createTestRenderContext } from "../testing/index.ts";
import { createChartVegaRenderer } from "./chart-vega-renderer.ts";
import { sampleInput } from "./sample-input.ts";

const chart = createChartVegaRenderer();
const parse = (input: unknown) => chart.inputSchema.parse(input);

const barSpec = {
  width: 300,
  height: 200,
  data: {
    values: [
      { category: "A", amount: 28 },
      { category: "B", amount: 55 },
      { category: "C", amount: 43 },
      { category: "D", amount: 91 },
      { category: "E", amount: 81 },
    ],
  },
  mark: "bar",
  encoding: {
    x: { field: "category", type: "nominal" },
    y: { field: "amount", type: "quantitative" },
  },
};

const render = async (input: unknown) => {
  const test = createTestRenderContext();
  await chart.render(parse(input), test.ctx);
  expect(test.artifacts).toHaveLength(1);
  return { ...test, artifact: test.artifacts[0]! };
};

/** The `<path>` elements vega drew as bars (one per datum; rounded bars get a group each). */
const barPaths = (svg: string) => svg.match(/<path [^>]*aria-roledescription="bar"/g)?.length ?? 0;

describe("chart.vega", () => {
  it("renders a bar chart to well-formed SVG with one bar per row", async () => {
    const { artifact, progress } = await render({ spec: barSpec });
    expect(artifact).toMatchObject({ name: "chart.svg", contentType: "image/svg+xml" });
    const svg = artifactText(artifact);
    expect(svg.startsWith("<svg")).toBe(true);
    expect(findXmlError(svg)).toBeUndefined();
    expect(barPaths(svg)).toBe(5);
    const { width, height } = artifact.metadata as { width: number; height: number };
    // The plot is 300×200; axes and labels add a margin.
    expect(width).toBeGreaterThan(300);
    expect(height).toBeGreaterThan(200);
    expect(svg).toMatch(new RegExp(`^<svg[^>]*\\swidth="${width}"[^>]*\\sheight="${height}"`));
    expect(svg).toContain("Inter, sans-serif");
    expect(progress.map((p) => p.stage)).toEqual(["compile", "render", "store"]);
  });

  it("rasterizes to a PNG of scale × the SVG size", async () => {
    const svg = await render({ spec: barSpec });
    const { width, height } = svg.artifact.metadata as { width: number; height: number };
    for (const scale of [1, 2.5]) {
      const { artifact, progress } = await render({
        spec: barSpec,
        format: "png",
        scale,
        background: "#f8fafc",
      });
      expect(artifact).toMatchObject({ name: "chart.png", contentType: "image/png" });
      const size = readPngSize(artifactBytes(artifact));
      expect(size?.width).toBeCloseTo(width * scale, -1);
      expect(size?.height).toBeCloseTo(height * scale, -1);
      expect(artifact.metadata).toMatchObject({ ...size, format: "png" });
      expect(progress.map((p) => p.stage)).toEqual(["compile", "render", "rasterize", "store"]);
    }
  });

  it("renders the sample input", async () => {
    const { artifact } = await render(sampleInput);
    expect(barPaths(artifactText(artifact))).toBe(7);
  });

  it("applies the background option", async () => {
    const { artifact } = await render({ spec: barSpec, background: "#0b1120" });
    expect(artifactText(artifact)).toMatch(/<rect[^>]*fill="#0b1120"/);
  });

  it("drops hyperlinks instead of crashing (vega's SVG renderer cannot take a refused link)", async () => {
    const values = barSpec.data.values.map((row) => ({
      ...row,
      link: `https://example.test/${row.category}`,
    }));
    const spec = { ...barSpec, data: { values }, encoding: { ...barSpec.encoding, href: { field: "link" } } };
    const { artifact } = await render({ spec });
    expect(barPaths(artifactText(artifact))).toBe(5);
  });

  it("fails with a non-retryable invalid_spec for a spec vega-lite cannot compile", async () => {
    for (const spec of [{ data: { values: [] }, mark: "nope" }, { data: { values: [] } }]) {
      const { ctx, artifacts } = createTestRenderContext();
      await expect(chart.render(parse({ spec }), ctx)).rejects.toMatchObject({
        name: "RenderError",
        code: "invalid_spec",
        retryable: false,
      });
      expect(artifacts).toHaveLength(0);
    }
  });

  it("refuses a PNG too large to hold in memory", async () => {
    const { ctx } = createTestRenderContext();
    const spec = { ...barSpec, width: 4000, height: 3000 };
    await expect(chart.render(parse({ spec, format: "png", scale: 4 }), ctx)).rejects.toMatchObject({
      code: "chart_too_large",
      retryable: false,
    });
  });

  it("stops at once when cancelled before or during a render", async () => {
    const before = createTestRenderContext();
    const reason = new Error("cancelled");
    before.abort(reason);
    await expect(chart.render(parse({ spec: barSpec }), before.ctx)).rejects.toBe(reason);

    const during = createTestRenderContext();
    const report = during.ctx.reportProgress;
    // Cancel as the render stage begins: compile has run, drawing must not complete.
    during.ctx.reportProgress = (progress, stage, message) => {
      report(progress, stage, message);
      if (stage === "render") during.abort(reason);
    };
    await expect(chart.render(parse({ spec: barSpec, format: "png" }), during.ctx)).rejects.toBe(reason);
    expect(during.artifacts).toHaveLength(0);
    expect(during.progress.map((p) => p.stage)).not.toContain("rasterize");
  });

  it("converts to JSON Schema", () => {
    const schema = z.toJSONSchema(chart.inputSchema, { io: "input" });
    expect(schema).toMatchObject({
      type: "object",
      required: ["spec"],
      properties: {
        spec: { type: "object" },
        format: { default: "svg", enum: ["svg", "png"] },
        scale: { minimum: 0.5, maximum: 4, default: 2 },
      },
    });
  });
});
