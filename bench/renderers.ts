/**
 * Renders every registered job type (or the ones named) many times, twice: in this process
 * straight through the registry, and isolated as a worker runs them (render threads, see
 * @kiln/renderers' render runner), and prints latency percentiles, throughput and the cost of
 * the isolation:
 *
 *   npx tsx bench/renderers.ts [jobType…] [--iterations=50]
 *
 * Inputs are each job type's sample (@kiln/renderers' `sampleInputs`). Each job type runs at
 * its default concurrency: the browser pool's for document.pdf, one at a time for the others
 * (in process they are CPU-bound on this thread). document.pdf also runs a one-page document as lone
 * jobs: one at a time, 100 ms apart (not counted), as a job reaches an idle worker whose pool is warm.
 */
import { availableParallelism } from "node:os";
import type { Renderer } from "@kiln/core";
import {
  createRendererRegistry,
  createRenderRunner,
  type RenderRunner,
  resolveChromiumOptions,
  sampleInputs,
} from "@kiln/renderers";
import { createTestRenderContext, renderToEnd } from "@kiln/renderers/testing";

interface BenchResult {
  /** The job type, and which input when it has more than one case. */
  jobType: string;
  mode: "in-process" | "isolated";
  renders: number;
  concurrency: number;
  coldMs: number;
  p50: number;
  p95: number;
  max: number;
  perSecond: number;
}

const defaultConcurrency = (jobType: string): number =>
  jobType === "document.pdf" ? resolveChromiumOptions().concurrency : 1;

const sampleInputOf = (jobType: string): unknown => {
  if (!(jobType in sampleInputs))
    throw new Error(`no sampleInput for ${jobType} in @kiln/renderers' sampleInputs`);
  return sampleInputs[jobType];
};

/** Nearest-rank percentile of sorted values. */
const percentile = (sorted: number[], p: number): number =>
  sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN;

type RenderOnce = (renderer: Renderer, input: unknown) => Promise<number>;

const timed = async (render: () => Promise<void>): Promise<number> => {
  const started = performance.now();
  await render();
  return performance.now() - started;
};

const inProcess: RenderOnce = (renderer, input) =>
  timed(() => renderToEnd(renderer, input, createTestRenderContext({ companyId: "bench" }).ctx));

const isolated =
  (runner: RenderRunner): RenderOnce =>
  (renderer, input) =>
    timed(() => runner.run(renderer.jobType, input, createTestRenderContext({ companyId: "bench" }).ctx));

interface BenchCase {
  label: string;
  renderer: Renderer;
  input: unknown;
  concurrency: number;
  /** Idle time before each render, not counted (lone jobs rather than a backlog). */
  gapMs?: number;
}

const onePageDocument = {
  html: "<h1>Invoice 2026-0042</h1><p>Thank you for your order.</p><table><tr><td>Rendering</td><td>€12.00</td></tr></table>",
};

/** The sample of each job type at its default concurrency, and a lone one-page PDF. */
const casesOf = (renderer: Renderer): BenchCase[] => {
  const sample = {
    label: renderer.jobType,
    renderer,
    input: sampleInputOf(renderer.jobType),
    concurrency: defaultConcurrency(renderer.jobType),
  };
  if (renderer.jobType !== "document.pdf") return [sample];
  return [
    sample,
    { label: "document.pdf one page, lone", renderer, input: onePageDocument, concurrency: 1, gapMs: 100 },
  ];
};

const bench = async (
  { label, renderer, input: rawInput, concurrency, gapMs = 0 }: BenchCase,
  iterations: number,
  mode: BenchResult["mode"],
  renderOnce: RenderOnce,
): Promise<BenchResult> => {
  const input = renderer.inputSchema.parse(rawInput);
  // The first render pays for launches and lazy loading (browser, fonts, grammars): reported apart.
  const coldMs = await renderOnce(renderer, input);
  const durations: number[] = [];
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next++ < iterations) {
        if (gapMs > 0) await new Promise((resolve) => setTimeout(resolve, gapMs));
        durations.push(await renderOnce(renderer, input));
      }
    }),
  );
  const wallMs = performance.now() - started;
  const sorted = durations.sort((a, b) => a - b);
  return {
    jobType: label,
    mode,
    renders: sorted.length,
    concurrency,
    coldMs,
    p50: percentile(sorted, 50),
    p95: percentile(sorted, 95),
    max: sorted.at(-1) ?? Number.NaN,
    perSecond: (sorted.length / wallMs) * 1000,
  };
};

const main = async () => {
  const args = process.argv.slice(2);
  const iterations = Number(args.find((arg) => arg.startsWith("--iterations="))?.split("=")[1] ?? 50);
  const wanted = args.filter((arg) => !arg.startsWith("--"));
  const registry = createRendererRegistry();
  const unknown = wanted.filter((jobType) => !registry.has(jobType));
  if (unknown.length > 0) throw new Error(`unknown job types: ${unknown.join(", ")}`);
  const renderers = [...registry.values()].filter((r) => wanted.length === 0 || wanted.includes(r.jobType));
  console.log(
    `node ${process.version}, ${availableParallelism()} CPUs, ${iterations} renders per job type\n`,
  );
  const rows: string[][] = [];
  const runner = await createRenderRunner({
    renderers: registry,
    jobTypes: renderers.map((renderer) => renderer.jobType),
    concurrency: Math.max(...renderers.map((renderer) => defaultConcurrency(renderer.jobType))),
    // Warm threads, as a busy worker has them: start-up is reported as the cold render.
    minThreads: 1,
  });
  try {
    for (const benchCase of renderers.flatMap(casesOf)) {
      const before = await bench(benchCase, iterations, "in-process", inProcess);
      const after = await bench(benchCase, iterations, "isolated", isolated(runner));
      for (const r of [before, after]) {
        rows.push([
          r.jobType,
          r.mode,
          String(r.renders),
          String(r.concurrency),
          r.coldMs.toFixed(0),
          r.p50.toFixed(1),
          r.p95.toFixed(1),
          r.max.toFixed(1),
          r.perSecond.toFixed(1),
        ]);
        console.log(
          `${r.jobType} (${r.mode}): p50 ${r.p50.toFixed(1)} ms, p95 ${r.p95.toFixed(1)} ms, ${r.perSecond.toFixed(1)}/s`,
        );
      }
      console.log(`${benchCase.label}: isolation costs ${(after.p50 - before.p50).toFixed(1)} ms at p50`);
    }
  } finally {
    await runner.close();
    await Promise.all([...registry.values()].map((renderer) => renderer.close?.()));
  }
  const header = [
    "jobType",
    "mode",
    "renders",
    "concurrency",
    "cold ms",
    "p50 ms",
    "p95 ms",
    "max ms",
    "renders/s",
  ];
  const widths = header.map((title, i) => Math.max(title.length, ...rows.map((row) => row[i]!.length)));
  const line = (cells: string[]) =>
    cells.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join("  ");
  console.log(`\n${line(header)}\n${rows.map(line).join("\n")}`);
};

await main();
