import { beforeAll, describe, expect, it } from "vitest";
import { cpuBoundForThisMachine, createTestRenderContext } from "../testing/index.ts";
import { createChartVegaRenderer } from "./chart-vega-renderer.ts";
import { chartEvaluationLimits } from "./evaluation-budget.ts";

const chart = createChartVegaRenderer();

const rows = [
  { a: 1, b: 2 },
  { a: 2, b: 3 },
];
const points = {
  data: { values: rows },
  mark: "point",
  encoding: { x: { field: "a", type: "quantitative" }, y: { field: "b", type: "quantitative" } },
};

/** Renders `spec` (which must pass the input schema) and reports the CPU time it took. */
const renderTimed = async (spec: object) => {
  const input = chart.inputSchema.parse({ spec });
  const started = process.cpuUsage();
  const outcome = await chart.render(input, createTestRenderContext().ctx).then(
    () => undefined,
    (error: unknown) => error,
  );
  const { user, system } = process.cpuUsage(started);
  return { error: outcome, cpuMs: (user + system) / 1000 };
};

/** Specs the input schema accepts (nothing to see statically) that generate too much once evaluated. */
const hostileSpecs: Record<string, object> = {
  "a flattened sequence(0, 1e9) (the reported worker OOM)": {
    ...points,
    transform: [{ calculate: "sequence(0,1e9)", as: "s" }, { flatten: ["s"] }],
  },
  "a sequence(0, 1e6) (the reported 33 s block)": {
    ...points,
    transform: [{ calculate: "sequence(0,1e6)", as: "s" }, { flatten: ["s"] }],
  },
  "short sequences flattened over many rows": {
    data: { values: Array.from({ length: 1_000 }, (_, a) => ({ a })) },
    transform: [{ calculate: "sequence(0,40000)", as: "s" }, { flatten: ["s"] }],
    mark: "point",
    encoding: { x: { field: "s", type: "quantitative" } },
  },
  "impute over 1,000 groups × 1,000 keys (rows the data never held)": {
    data: {
      values: Array.from({ length: 2_000 }, (_, i) =>
        i < 1_000 ? { k: i, g: 0, v: 1 } : { k: 0, g: i, v: 1 },
      ),
    },
    transform: [{ impute: "v", key: "k", groupby: ["g"], value: 0 }],
    mark: "point",
    encoding: { x: { field: "k", type: "quantitative" }, y: { field: "v", type: "quantitative" } },
  },
  "bins over a 1e12 extent with step 1": {
    ...points,
    mark: "bar",
    encoding: {
      x: { field: "a", type: "quantitative", bin: { extent: [0, 1e12], step: 1 } },
      y: { aggregate: "count" },
    },
  },
  "an axis tickCount computed by an expression": {
    ...points,
    encoding: {
      ...points.encoding,
      x: { field: "a", type: "quantitative", axis: { tickCount: { expr: "1e9" } } },
    },
  },
  "a millisecond timeSequence over 30 years": {
    ...points,
    transform: [{ calculate: "timeSequence('millisecond', 0, 1e12)", as: "s" }],
  },
  "pad() to a billion characters": { ...points, transform: [{ calculate: "pad('', 1e9)", as: "s" }] },
};

describe("chart.vega evaluation budget", () => {
  let cpuBoundMs = 1_000;
  beforeAll(async () => {
    // vega and vega-lite load on the first render, and V8 compiles a transform's code the first
    // times it runs: keep both out of the timed renders (cold, the impute case cost 0.96 s; warm,
    // 0.6–0.7 s).
    expect((await renderTimed(points)).error).toBeUndefined();
    for (const spec of Object.values(hostileSpecs)) await renderTimed(spec);
    cpuBoundMs = await cpuBoundForThisMachine();
  });

  for (const [name, spec] of Object.entries(hostileSpecs)) {
    it(`fails fast with a non-retryable chart_too_large: ${name}`, async () => {
      const { error, cpuMs } = await renderTimed(spec);
      expect(error).toMatchObject({ name: "RenderError", code: "chart_too_large", retryable: false });
      expect(cpuMs).toBeLessThan(cpuBoundMs);
    });
  }

  it("still renders ordinary charts, alongside a hostile one", async () => {
    const [hostile, normal] = await Promise.all([
      renderTimed(hostileSpecs["short sequences flattened over many rows"]!),
      (async () => {
        const test = createTestRenderContext();
        await chart.render(chart.inputSchema.parse({ spec: points }), test.ctx);
        return test.artifacts;
      })(),
    ]);
    expect(hostile.error).toMatchObject({ code: "chart_too_large" });
    expect(normal).toHaveLength(1);
    const sequence = {
      ...points,
      transform: [{ calculate: "sequence(0, 100)", as: "s" }, { flatten: ["s"] }],
    };
    expect((await renderTimed(sequence)).error).toBeUndefined();
  });

  it("leaves room for a chart at the input row limit", () => {
    // A 50,000-row point chart generates about 50,000 tuples, an ordinal bar chart of them about 300,000.
    expect(chartEvaluationLimits.maxGeneratedValues).toBeGreaterThan(300_000);
  });
});
