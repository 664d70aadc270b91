/**
 * Renders every registered job type (or the ones named) many times straight through the
 * registry and prints latency percentiles and throughput:
 *
 *   npx tsx bench/renderers.ts [jobType…] [--iterations=50]
 *
 * Inputs come from each renderer folder's exported `sampleInput` (folder = job type with
 * dots as dashes). Each job type runs at its default concurrency: the browser pool's for
 * document.pdf, one at a time for the in-process renderers (they are CPU-bound on this thread).
 */
import { availableParallelism } from "node:os";
import type { Renderer } from "@kiln/core";
import { createRendererRegistry } from "@kiln/renderers";
import { createTestRenderContext } from "@kiln/renderers/testing";
import { resolveChromiumOptions } from "../packages/renderers/src/chromium/index.ts";

interface BenchResult {
  jobType: string;
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

const loadSampleInput = async (jobType: string): Promise<unknown> => {
  const folder = jobType.replaceAll(".", "-");
  const module: Record<string, unknown> = await import(`../packages/renderers/src/${folder}/index.ts`);
  if (!("sampleInput" in module)) throw new Error(`${folder}/index.ts exports no sampleInput`);
  return module.sampleInput;
};

/** Nearest-rank percentile of sorted values. */
const percentile = (sorted: number[], p: number): number =>
  sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN;

const renderOnce = async (renderer: Renderer, input: unknown): Promise<number> => {
  const { ctx } = createTestRenderContext({ companyId: "bench" });
  const started = performance.now();
  await renderer.render(input, ctx);
  return performance.now() - started;
};

const bench = async (renderer: Renderer, iterations: number): Promise<BenchResult> => {
  const input = renderer.inputSchema.parse(await loadSampleInput(renderer.jobType));
  // The first render pays for launches and lazy loading (browser, fonts, grammars): reported apart.
  const coldMs = await renderOnce(renderer, input);
  const concurrency = defaultConcurrency(renderer.jobType);
  const durations: number[] = [];
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next++ < iterations) durations.push(await renderOnce(renderer, input));
    }),
  );
  const wallMs = performance.now() - started;
  const sorted = durations.sort((a, b) => a - b);
  return {
    jobType: renderer.jobType,
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
  try {
    for (const renderer of renderers) {
      const r = await bench(renderer, iterations);
      rows.push([
        r.jobType,
        String(r.renders),
        String(r.concurrency),
        r.coldMs.toFixed(0),
        r.p50.toFixed(1),
        r.p95.toFixed(1),
        r.max.toFixed(1),
        r.perSecond.toFixed(1),
      ]);
      console.log(
        `${r.jobType}: p50 ${r.p50.toFixed(1)} ms, p95 ${r.p95.toFixed(1)} ms, ${r.perSecond.toFixed(1)}/s`,
      );
    }
  } finally {
    await Promise.all([...registry.values()].map((renderer) => renderer.close?.()));
  }
  const header = ["jobType", "renders", "concurrency", "cold ms", "p50 ms", "p95 ms", "max ms", "renders/s"];
  const widths = header.map((title, i) => Math.max(title.length, ...rows.map((row) => row[i]!.length)));
  const line = (cells: string[]) =>
    cells.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join("  ");
  console.log(`\n${line(header)}\n${rows.map(line).join("\n")}`);
};

await main();
