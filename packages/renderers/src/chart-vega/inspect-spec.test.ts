import { describe, expect, it } from "vitest";
import { chartSpecLimits, findSpecViolations } from "./inspect-spec.ts";

const paths = (spec: unknown) => findSpecViolations(spec).map((violation) => violation.path.join("."));

describe("findSpecViolations", () => {
  it("accepts an ordinary spec with inline data", () => {
    const spec = {
      data: { values: [{ a: 1 }] },
      mark: "bar",
      encoding: { x: { field: "a", type: "quantitative" } },
    };
    expect(findSpecViolations(spec)).toEqual([]);
  });

  it("counts rows across values, datasets, inline CSV and sequence generators", () => {
    const rows = (count: number) => Array.from({ length: count }, (_, index) => ({ index }));
    expect(paths({ data: { values: rows(chartSpecLimits.maxDataRows) } })).toEqual([]);
    expect(paths({ data: { values: rows(20_000) }, datasets: { more: rows(40_000) } })).toEqual([
      "datasets.more",
    ]);
    expect(paths({ data: { values: rows(40_000) }, datasets: { more: rows(20_000) } })).toEqual([
      "data.values",
    ]);
    expect(paths({ data: { values: "a\n".repeat(60_000), format: { type: "csv" } } })).toEqual([
      "data.values",
    ]);
    expect(paths({ data: { sequence: { start: 0, stop: 1e9 } } })).toEqual(["data.sequence"]);
    expect(paths({ data: { sequence: { start: 0, stop: 10, step: 0 } } })).toEqual(["data.sequence"]);
  });

  it("refuses literal parameters that would generate more than the row limit", () => {
    const field = { field: "a", type: "quantitative" };
    const spec = {
      width: 1e9,
      height: 300,
      transform: [
        { impute: "b", key: "a", keyvals: { start: 0, stop: 1e9 } },
        { density: "a", steps: 1e9 },
        { density: "a", minsteps: 10, maxsteps: 1e9 },
        { quantile: "a", step: 1e-9 },
        { bin: { step: 1e-9 }, field: "a", as: "binned" },
      ],
      encoding: {
        x: { ...field, bin: { maxbins: 1e9 } },
        y: { ...field, axis: { tickCount: 1e9 } },
      },
    };
    expect(paths(spec).sort()).toEqual(
      [
        "encoding.x.bin.maxbins",
        "encoding.y.axis.tickCount",
        "transform.0.keyvals",
        "transform.1.steps",
        "transform.2.maxsteps",
        "transform.3.step",
        "width",
      ].sort(),
    );
    const ordinary = {
      width: 800,
      height: 400,
      transform: [
        { impute: "b", key: "a", keyvals: { start: 0, stop: 100 } },
        { density: "a", steps: 200 },
        { quantile: "a", step: 0.01 },
      ],
      encoding: { x: { ...field, bin: { maxbins: 50 } }, y: { ...field, axis: { tickCount: 10 } } },
    };
    expect(findSpecViolations(ordinary)).toEqual([]);
  });

  it("refuses regular expressions in expressions, wherever vega-lite takes one", () => {
    const spec = {
      title: "/not an expression/",
      transform: [
        { calculate: `test(/(a+)+$/, "${"a".repeat(40)}!") ? 1 : 0`, as: "slow" },
        { filter: "replace(datum.name, regexp('(x+x+)+y'), '') != ''" },
        { calculate: "datum.a / 2 / datum.b", as: "ratio" },
        { filter: { field: "a", oneOf: ["/x/"] } },
      ],
      params: [{ name: "p", expr: "test(/^a/, 'abc')" }],
      encoding: { color: { condition: { test: "datum.a > 1", value: "red" }, value: "blue" } },
    };
    const violations = findSpecViolations(spec);
    expect(violations.map((violation) => violation.path.join("."))).toEqual([
      "params.0.expr",
      "transform.1.filter",
      "transform.0.calculate",
    ]);
    expect(violations[0]?.message).toMatch(/regular expressions .* are not allowed in chart expressions/);
  });

  it("refuses specs nested too deeply, without overflowing the stack", () => {
    let deep: unknown = {};
    for (let level = 0; level < 100_000; level++) deep = [deep];
    const violations = findSpecViolations({ data: { values: [] }, layer: deep });
    expect(violations).toHaveLength(1);
    expect(violations[0]?.message).toMatch(/nested more than 64/);
  });

  it("refuses specs larger than the size limit", () => {
    const violations = findSpecViolations({ description: "x".repeat(chartSpecLimits.maxSpecChars) });
    expect(violations.map((violation) => violation.message)).toEqual([
      expect.stringMatching(/at most 1000000/),
    ]);
  });
});
