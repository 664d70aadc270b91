/**
 * What a tenant with a valid key might send to tie up the fleet: each case is small, valid JSON
 * that once froze or killed a worker (issue 7), or one of its near relatives. Every case must end —
 * refused at submit, or failed/done within its job type's bound — without costing other tenants.
 */
export interface HostileCase {
  name: string;
  body: { jobType: string; input: unknown; maxAttempts?: number };
  /** Error codes the job may fail with; `done` is always acceptable, and so is a 4xx at submit. */
  failsWith: string[];
}

const vegaSpec = (transform: unknown[], encoding: Record<string, unknown> = {}) => ({
  data: { values: [{ x: 1, y: 2, g: "a" }] },
  transform,
  mark: "point",
  encoding: { x: { field: "x", type: "quantitative" }, ...encoding },
});

const chartFailures = [
  "chart_too_large",
  "chart_invalid",
  "invalid_input",
  "render_memory",
  "render_timeout",
];
const markdownFailures = ["markdown_unrenderable", "render_timeout"];

export const hostileCorpus: HostileCase[] = [
  {
    name: "document.pdf: 40 spaces before the markup (doctype regex backtracking)",
    body: { jobType: "document.pdf", input: { html: `${" ".repeat(40)}<p>hello</p>` }, maxAttempts: 1 },
    failsWith: ["render_timeout"],
  },
  {
    name: "document.pdf: empty comments and spaces interleaved before the markup",
    body: { jobType: "document.pdf", input: { html: `${"<!----> ".repeat(30)}<p>x</p>` }, maxAttempts: 1 },
    failsWith: ["render_timeout"],
  },
  {
    name: "chart.vega: sequence(0, 1e9) flattened into rows",
    body: {
      jobType: "chart.vega",
      input: { spec: vegaSpec([{ calculate: "sequence(0, 1e9)", as: "s" }, { flatten: ["s"] }]) },
      maxAttempts: 1,
    },
    failsWith: chartFailures,
  },
  {
    name: "chart.vega: sequence(0, 1e6) in a calculate",
    body: {
      jobType: "chart.vega",
      input: { spec: vegaSpec([{ calculate: "sequence(0, 1e6)", as: "s" }]) },
      maxAttempts: 1,
    },
    failsWith: chartFailures,
  },
  {
    name: "chart.vega: impute with a billion key values",
    body: {
      jobType: "chart.vega",
      input: {
        spec: vegaSpec([{ impute: "y", key: "x", keyvals: { start: 0, stop: 1e9 }, groupby: ["g"] }]),
      },
      maxAttempts: 1,
    },
    failsWith: chartFailures,
  },
  {
    name: "chart.vega: density with a billion steps",
    body: {
      jobType: "chart.vega",
      input: { spec: vegaSpec([{ density: "y", steps: 1e9 }]) },
      maxAttempts: 1,
    },
    failsWith: chartFailures,
  },
  {
    name: "chart.vega: quantile at a one-in-a-billion step",
    body: {
      jobType: "chart.vega",
      input: { spec: vegaSpec([{ quantile: "y", step: 1e-9 }]) },
      maxAttempts: 1,
    },
    failsWith: chartFailures,
  },
  {
    name: "markdown.html: `_a` × 100,000 (emphasis delimiter runs; over the size limit)",
    body: { jobType: "markdown.html", input: { markdown: "_a".repeat(100_000) }, maxAttempts: 1 },
    failsWith: markdownFailures,
  },
  {
    name: "markdown.html: `_a` × 75,000 (emphasis delimiter runs, at the size limit)",
    body: { jobType: "markdown.html", input: { markdown: "_a".repeat(75_000) }, maxAttempts: 1 },
    failsWith: markdownFailures,
  },
  {
    name: "markdown.html: `[` × 150,000 (unclosed link brackets)",
    body: { jobType: "markdown.html", input: { markdown: "[".repeat(150_000) }, maxAttempts: 1 },
    failsWith: markdownFailures,
  },
  {
    name: "markdown.html: `![` × 75,000 (unclosed image brackets)",
    body: { jobType: "markdown.html", input: { markdown: "![".repeat(75_000) }, maxAttempts: 1 },
    failsWith: markdownFailures,
  },
  {
    name: "markdown.html: `*a**` × 37,500 (mixed emphasis)",
    body: { jobType: "markdown.html", input: { markdown: "*a**".repeat(37_500) }, maxAttempts: 1 },
    failsWith: markdownFailures,
  },
  {
    name: "markdown.html: 50,000 unclosed `<span>` (sanitizer nesting)",
    body: { jobType: "markdown.html", input: { markdown: "<span>".repeat(50_000) }, maxAttempts: 1 },
    failsWith: markdownFailures,
  },
  {
    name: "chart.vega: a catastrophic regular expression in an expression",
    body: {
      jobType: "chart.vega",
      input: { spec: vegaSpec([{ calculate: `test(/(a+)+$/, '${"a".repeat(40)}!')`, as: "t" }]) },
      maxAttempts: 1,
    },
    failsWith: chartFailures,
  },
  {
    name: "document.pdf: 10,000 nested block quotes",
    body: { jobType: "document.pdf", input: { markdown: `${">".repeat(10_000)} deep` }, maxAttempts: 1 },
    failsWith: markdownFailures,
  },
  {
    name: "canary: a render that spins the CPU without yielding, maxAttempts 1",
    body: { jobType: "canary", input: { durationMs: 0, steps: 1, busyMs: 60_000 }, maxAttempts: 1 },
    failsWith: ["render_timeout"],
  },
  {
    name: "canary: a render that needs more memory than its thread may have",
    body: { jobType: "canary", input: { durationMs: 0, steps: 1, allocateMb: 2048 }, maxAttempts: 3 },
    // V8 collects garbage harder and harder near its cap: under load it may reach the time limit first.
    failsWith: ["render_memory", "render_timeout"],
  },
];
