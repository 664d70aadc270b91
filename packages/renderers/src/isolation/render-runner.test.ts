import { readdir, readFile } from "node:fs/promises";
import os from "node:os";
import { afterAll, describe, expect, it } from "vitest";
import { createRendererRegistry } from "../registry.ts";
import { artifactText, createTestRenderContext } from "../testing/index.ts";
import { createRenderRunner } from "./render-runner.ts";

const renderers = createRendererRegistry();
const runner = await createRenderRunner({
  renderers,
  jobTypes: ["canary", "markdown.html", "document.pdf"],
  concurrency: 2,
  limits: { canary: { timeoutMs: 3_000, memoryMb: 64 } },
});
afterAll(async () => {
  await runner.close();
  await Promise.allSettled([...renderers.values()].map((renderer) => renderer.close?.()));
});

/**
 * A loop the render blocked would wait for all of it: 800 ms of spinning, or the 3 s time limit.
 * A loop that is merely waiting for a core (the suite's other files launch Chromium beside this
 * one on two cores) has measured up to ~260 ms.
 */
const loopLagBoundMs = 400;

/** The longest the event loop went without running a timer while `work` ran. */
const maxLoopLagDuring = async <T>(work: Promise<T>) => {
  let maxLag = 0;
  let last = performance.now();
  const timer = setInterval(() => {
    const now = performance.now();
    maxLag = Math.max(maxLag, now - last - 10);
    last = now;
  }, 10);
  try {
    return { result: await work, maxLag };
  } finally {
    clearInterval(timer);
  }
};

describe("isolated renders", () => {
  it("runs a render in a thread: progress and artifacts reach the worker", async () => {
    const { ctx, artifacts, progress } = createTestRenderContext({ jobId: "job-1", attempt: 2 });
    await runner.run("canary", { durationMs: 30, steps: 3 }, ctx);
    expect(progress.map((p) => p.progress)).toEqual([33, 66, 100]);
    expect(progress[0]).toMatchObject({ stage: "working", message: "step 1/3" });
    expect(JSON.parse(artifactText(artifacts[0]!))).toMatchObject({ jobId: "job-1", attempt: 2 });
  });

  it("keeps the worker's event loop free while a render spins the CPU", async () => {
    const { ctx, artifacts } = createTestRenderContext();
    const { maxLag } = await maxLoopLagDuring(
      runner.run("canary", { durationMs: 0, steps: 1, busyMs: 800 }, ctx),
    );
    expect(artifacts).toHaveLength(1);
    expect(maxLag).toBeLessThan(loopLagBoundMs);
  });

  it("kills a render past its time limit with render_timeout, and the next render runs", async () => {
    const { ctx } = createTestRenderContext();
    const started = performance.now();
    const { result: error, maxLag } = await maxLoopLagDuring(
      runner.run("canary", { durationMs: 0, steps: 1, busyMs: 60_000 }, ctx).catch((e: unknown) => e),
    );
    expect(error).toMatchObject({ code: "render_timeout", retryable: false });
    expect(performance.now() - started).toBeLessThan(5_000);
    expect(maxLag).toBeLessThan(loopLagBoundMs);
    const next = createTestRenderContext();
    await runner.run("canary", { durationMs: 0, steps: 1 }, next.ctx);
    expect(next.artifacts).toHaveLength(1);
  });

  it("kills a render past its memory limit with render_memory, and the next render runs", async () => {
    // A time limit of its own, far above the 3 s of the runner above: a thread nearing its heap
    // limit collects again and again before it gives up, which took over 3 s with the machine's
    // two cores busy with Chromium (CI): the memory limit, not the clock, must end this render.
    const roomy = await createRenderRunner({
      renderers,
      jobTypes: ["canary"],
      concurrency: 1,
      limits: { canary: { timeoutMs: 60_000, memoryMb: 64 } },
    });
    try {
      const { ctx } = createTestRenderContext();
      const error = await roomy
        .run("canary", { durationMs: 0, steps: 1, allocateMb: 512 }, ctx)
        .catch((e) => e);
      expect(error).toMatchObject({ code: "render_memory", retryable: false });
      const next = createTestRenderContext();
      await roomy.run("canary", { durationMs: 0, steps: 1, allocateMb: 8 }, next.ctx);
      expect(next.artifacts).toHaveLength(1);
    } finally {
      await roomy.close();
    }
  });

  it("stops a CPU-bound render within a second of its cancel, rejecting with the cancel's reason", async () => {
    // A warm thread takes the render at once, so the cancel lands while it spins.
    await runner.run("canary", { durationMs: 0, steps: 1 }, createTestRenderContext().ctx);
    const test = createTestRenderContext();
    const running = runner
      .run("canary", { durationMs: 0, steps: 1, busyMs: 60_000 }, test.ctx)
      .catch((e) => e);
    await new Promise((resolve) => setTimeout(resolve, 300));
    const cancelledAt = performance.now();
    test.abort("cancelled");
    expect(await running).toBe("cancelled");
    expect(performance.now() - cancelledAt).toBeLessThan(1_000);
  });

  it("carries a renderer's own errors across the thread, retryable or not", async () => {
    const failing = createTestRenderContext();
    await expect(
      runner.run("canary", { durationMs: 0, steps: 1, failTimes: 1 }, failing.ctx),
    ).rejects.toMatchObject({ name: "RenderError", code: "canary_failure", retryable: true });
    const invalid = createTestRenderContext();
    await expect(runner.run("canary", { durationMs: -1 }, invalid.ctx)).rejects.toMatchObject({
      code: "invalid_input",
      retryable: false,
    });
    await expect(runner.run("image.card", {}, invalid.ctx)).rejects.toMatchObject({
      code: "unknown_job_type",
      retryable: false,
    });
  });

  it("prepares a PDF's page in the thread and prints it on the loop", async () => {
    const { ctx, artifacts, progress } = createTestRenderContext();
    await runner.run("document.pdf", { markdown: "# Isolated\n\nhello" }, ctx);
    expect(artifacts.map((a) => a.name)).toEqual(["document.pdf"]);
    expect(artifacts[0]?.metadata).toMatchObject({ pageCount: 1 });
    expect(progress.map((p) => p.stage)).toEqual(["launch", "layout", "print", "store", "store"]);
  });

  it("runs from the TypeScript sources too, when the thread module cannot be bundled", async () => {
    const fromSources = await createRenderRunner({
      renderers,
      jobTypes: ["canary"],
      concurrency: 1,
      bundle: false,
    });
    try {
      const { ctx, artifacts } = createTestRenderContext();
      await fromSources.run("canary", { durationMs: 0, steps: 1 }, ctx);
      expect(artifacts.map((a) => a.name)).toEqual(["canary.json"]);
    } finally {
      await fromSources.close();
    }
  });

  it.runIf(process.platform === "linux")(
    "runs renders at a lower CPU priority than the worker's own loop",
    async () => {
      const niceOfThreads = async () =>
        Promise.all(
          (await readdir("/proc/self/task")).map(async (task) => {
            const stat = await readFile(`/proc/self/task/${task}/stat`, "utf8").catch(() => "");
            return Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[16]);
          }),
        );
      const test = createTestRenderContext();
      const running = runner.run("canary", { durationMs: 0, steps: 1, busyMs: 1_500 }, test.ctx);
      let seen: number[] = [];
      for (let i = 0; i < 100 && !seen.includes(10); i++) {
        await new Promise((resolve) => setTimeout(resolve, 20));
        seen = await niceOfThreads();
      }
      await running;
      expect(seen).toContain(10);
      expect(os.getPriority(0)).toBe(0);
    },
  );
});
