import { defineRenderer, RenderError, sleep } from "@kiln/core";
import { canaryInputSchema } from "./schema.ts";

/** Burns the CPU without yielding, as a CPU-bound renderer would. */
const spinCpu = (ms: number) => {
  const until = performance.now() + ms;
  while (performance.now() < until) {
    // spin
  }
};

/**
 * Allocates `mb` MiB of JS heap (touched, so it is really committed) and keeps it reachable. In
 * 8 MiB blocks: few, large allocations reach a heap cap at once instead of after GC thrashing.
 */
const holdMemory = (mb: number): number => {
  const held: number[][] = [];
  const block = (mib: number, value: number) => new Array<number>(mib * 131_072).fill(value); // 8 bytes each
  for (let left = mb; left > 0; left -= 8) held.push(block(Math.min(8, left), left));
  return held.length;
};

/** The `canary` job type: sleeps in steps, reports progress, optionally fails the first attempts. */
export const createCanaryRenderer = () =>
  defineRenderer({
    jobType: "canary",
    description:
      "Synthetic pipeline check: sleeps `durationMs` in `steps`, reporting progress, and writes canary.json.",
    inputSchema: canaryInputSchema,
    // Its input bounds it (at most 600 s of sleep and 60 s of CPU); the limits only sit above that.
    limits: { timeoutMs: 700_000, memoryMb: 128 },
    async render(input, ctx) {
      ctx.signal.throwIfAborted();
      const held = holdMemory(input.allocateMb ?? 0);
      spinCpu(input.busyMs ?? 0);
      const stepMs = input.durationMs / input.steps;
      for (let step = 1; step <= input.steps; step++) {
        // Rejects as soon as the signal aborts: a cancelled job stops within a tick, not after the step.
        await sleep(stepMs, ctx.signal);
        ctx.reportProgress(Math.floor((step * 100) / input.steps), "working", `step ${step}/${input.steps}`);
      }
      // Failing after the work (not before) makes a retried canary show progress, then a
      // retry, then progress again: the whole path a real transient failure takes.
      if (ctx.attempt <= input.failTimes) {
        throw new RenderError(
          "canary_failure",
          `canary fails attempt ${ctx.attempt} of the first ${input.failTimes} on purpose`,
          { retryable: true },
        );
      }
      const report = {
        jobId: ctx.jobId,
        attempt: ctx.attempt,
        steps: input.steps,
        durationMs: input.durationMs,
        heldBlocks: held,
        finishedAt: new Date().toISOString(),
      };
      await ctx.writeArtifact({
        name: "canary.json",
        contentType: "application/json",
        body: `${JSON.stringify(report, null, 2)}\n`,
      });
    },
  });
