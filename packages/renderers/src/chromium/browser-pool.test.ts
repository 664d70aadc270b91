import { RenderError } from "@kiln/core";
import { waitUntil } from "@kiln/testkit";
import { describe, expect, it } from "vitest";
import type { createDocumentPdfRenderer } from "../document-pdf/index.ts";
import { createRendererRegistry } from "../registry.ts";
import { createTestRenderContext, renderToEnd, type TestRenderContext } from "../testing/index.ts";
import { findChromiumProcesses } from "./chromium-processes.ts";
import { trackPools } from "./test-pools.ts";

const createPool = trackPools();

type PdfRenderer = ReturnType<typeof createDocumentPdfRenderer>;

const startRender = (renderer: PdfRenderer, input: unknown, test = createTestRenderContext()) => {
  const done = renderToEnd(renderer, renderer.inputSchema.parse(input), test.ctx);
  // Tests await `done` when they care; this keeps a render orphaned by a failed test quiet.
  done.catch(() => undefined);
  return { ...test, done };
};

const renderOk = async (renderer: PdfRenderer) => {
  const { done, artifacts } = startRender(renderer, { html: "<p>fine</p>" });
  await done;
  expect(artifacts[0]?.metadata?.pageCount).toBe(1);
};

/** Resolves once the render reported `stage`, i.e. Chromium is busy with it. */
const reachedStage = (test: TestRenderContext, stage: string) =>
  waitUntil(() => test.progress.some((p) => p.stage === stage), 30_000, `the render to reach ${stage}`);

const pages = (count: number) => ({ html: '<div style="break-after:page">page</div>'.repeat(count) });
// Twenty thousand pages keep Chromium printing for minutes: far past any render timeout.
const enormousDocument = pages(20_000);
// Five thousand keep it printing for seconds (8 s here), yet reach the print stage in half a second:
// long enough to kill, abort or queue behind, at a quarter of the enormous document's layout cost.
const longPrint = pages(5_000);
// Small markup whose paint cost explodes: huge blurs and shadows on every page.
const expensiveCss = {
  html: `<style>p{filter:blur(30px);box-shadow:0 0 200px 100px red;font-size:200px}</style>${"<p>x</p>".repeat(3000)}`,
};

describe("browser pool", () => {
  it("holds no browser until the first render", async () => {
    const { pool } = createPool();
    const registry = createRendererRegistry();
    expect(registry.get("document.pdf")).toBeDefined();
    expect(pool.launches).toBe(0);
    expect(await findChromiumProcesses(`${pool.poolId}/`)).toEqual([]);
    await Promise.all([...registry.values()].map((renderer) => renderer.close?.()));
  });

  it.each([
    ["an enormous page", enormousDocument],
    ["a CSS construction that makes layout and paint explode", expensiveCss],
  ])("fails %s with render_timeout, then renders the next job on a fresh browser", async (_, input) => {
    const { pool, renderer } = createPool({ renderTimeoutMs: 2000 });
    const started = performance.now();
    const victim = startRender(renderer, input);
    // The budget starts once the page is open ("layout"), launching the browser excluded.
    await reachedStage(victim, "layout");
    const layoutSeen = performance.now();
    const error = await victim.done.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RenderError);
    expect(error).toMatchObject({ code: "render_timeout", retryable: false });
    expect(performance.now() - started).toBeGreaterThanOrEqual(2000);
    // Slack for a loaded machine; the document itself would take far longer than this.
    expect(performance.now() - layoutSeen).toBeLessThan(2000 + 1500);
    await renderOk(renderer);
    expect(pool.launches).toBe(2);
    // The browser the timeout retired is gone, helpers included.
    expect(await findChromiumProcesses(`${pool.poolId}/1/`)).toEqual([]);
  });

  it("fails only the running render when the browser is killed, and relaunches for the next", async () => {
    const { pool, renderer } = createPool();
    await renderOk(renderer);
    const victim = startRender(renderer, longPrint);
    await reachedStage(victim, "print");
    const browsers = (await findChromiumProcesses(`${pool.poolId}/`)).filter((p) => p.isBrowser);
    expect(browsers).toHaveLength(1);
    process.kill(browsers[0]!.pid, "SIGKILL");
    const error = await victim.done.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RenderError);
    expect(error).toMatchObject({ code: "browser_crashed", retryable: true });
    await renderOk(renderer);
    expect(pool.launches).toBe(2);
  });

  it("closes the context within a few ms of an abort, with the signal's reason", async () => {
    const { pool, renderer } = createPool();
    const victim = startRender(renderer, longPrint);
    await reachedStage(victim, "print");
    const reason = new Error("job cancelled");
    const abortedAt = performance.now();
    victim.abort(reason);
    await expect(victim.done).rejects.toBe(reason);
    // Typically a few ms; the bound leaves room for a loaded machine while staying far below
    // the time this document takes to print.
    expect(performance.now() - abortedAt).toBeLessThan(1000);
    await renderOk(renderer);
    expect(pool.launches).toBe(1);
  });

  it("queues renders beyond its concurrency, and lets a queued job be aborted", async () => {
    const { renderer } = createPool({ concurrency: 1 });
    const running = startRender(renderer, longPrint);
    await reachedStage(running, "print");
    const queued = startRender(renderer, { html: "<p>queued</p>" });
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(queued.progress.map((p) => p.stage)).toEqual(["launch"]);
    queued.abort();
    await expect(queued.done).rejects.toMatchObject({ name: "AbortError" });
    running.abort();
    await expect(running.done).rejects.toMatchObject({ name: "AbortError" });
    await renderOk(renderer);
  });

  it("replaces the browser after maxRendersPerBrowser renders", { timeout: 90_000 }, async () => {
    const { pool, renderer } = createPool({ maxRendersPerBrowser: 2 });
    // Two renders on the first browser, the third on its replacement.
    for (let i = 0; i < 3; i++) await renderOk(renderer);
    expect(pool.launches).toBe(2);
    const live = await findChromiumProcesses(`${pool.poolId}/`);
    expect(new Set(live.map((p) => p.marker))).toEqual(new Set([`${pool.poolId}/2/`]));
  });

  it("fails at once, not retryably, when the browser binary is missing, saying what to install or set", async () => {
    const { pool, renderer } = createPool({ executablePath: "/nonexistent/chromium" });
    const failure = await startRender(renderer, { html: "x" }).done.catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(RenderError);
    expect(failure).toMatchObject({ code: "browser_unavailable", retryable: false });
    const { message } = failure as RenderError;
    expect(message).toContain("/nonexistent/chromium does not exist");
    expect(message).toContain("KILN_CHROMIUM_PATH");
    expect(message).toContain("apt-get install chromium");
    expect(pool.launches).toBe(0);
  });

  it("fails retryably when the binary exists but Chromium cannot start", async () => {
    // An executable that is no browser: it exits at once, as a broken Chromium install would.
    const { renderer } = createPool({ executablePath: "/bin/false", launchTimeoutMs: 5000 });
    await expect(startRender(renderer, { html: "x" }).done).rejects.toMatchObject({
      code: "browser_launch_failed",
      retryable: true,
    });
  });

  it("turns renders away once closed", async () => {
    const { pool, renderer } = createPool();
    await renderOk(renderer);
    await pool.close();
    expect(await findChromiumProcesses(`${pool.poolId}/`)).toEqual([]);
    await expect(startRender(renderer, { html: "x" }).done).rejects.toMatchObject({
      code: "browser_pool_closed",
    });
  });
});
