import { RenderError } from "@kiln/core";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { artifactText, createTestRenderContext } from "../testing/index.ts";
import { createCanaryRenderer } from "./canary-renderer.ts";

const canary = createCanaryRenderer();
const parse = (input: unknown) => canary.inputSchema.parse(input);

describe("canary", () => {
  it("sleeps in steps, reports monotonic progress and writes canary.json", async () => {
    const { ctx, artifacts, progress } = createTestRenderContext({ jobId: "job-1" });
    const started = performance.now();
    await canary.render(parse({ durationMs: 60, steps: 3 }), ctx);
    expect(performance.now() - started).toBeGreaterThanOrEqual(55);

    expect(progress.map((p) => p.progress)).toEqual([33, 66, 100]);
    expect(progress.every((p) => p.stage === "working")).toBe(true);
    expect(artifacts).toHaveLength(1);
    const [artifact] = artifacts;
    expect(artifact?.name).toBe("canary.json");
    expect(artifact?.contentType).toBe("application/json");
    const report = JSON.parse(artifactText(artifact!));
    expect(report).toMatchObject({ jobId: "job-1", attempt: 1, steps: 3, durationMs: 60 });
    expect(Number.isNaN(Date.parse(report.finishedAt))).toBe(false);
  });

  it("reports progress that never goes backwards for many uneven steps", async () => {
    const { ctx, progress } = createTestRenderContext();
    await canary.render(parse({ durationMs: 0, steps: 7 }), ctx);
    const values = progress.map((p) => p.progress);
    expect(values).toHaveLength(7);
    expect([...values].sort((a, b) => a - b)).toEqual(values);
    expect(values.at(-1)).toBe(100);
  });

  it("fails with a retryable canary_failure while attempt <= failTimes", async () => {
    const input = parse({ durationMs: 0, steps: 1, failTimes: 2 });
    for (const attempt of [1, 2]) {
      const { ctx, artifacts } = createTestRenderContext({ attempt });
      const error = await canary.render(input, ctx).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(RenderError);
      expect(error).toMatchObject({ code: "canary_failure", retryable: true });
      expect(artifacts).toHaveLength(0);
    }
    const { ctx, artifacts } = createTestRenderContext({ attempt: 3 });
    await canary.render(input, ctx);
    expect(artifacts).toHaveLength(1);
  });

  it("rejects within a few ms of an abort, with the signal's reason", async () => {
    const { ctx, abort, artifacts } = createTestRenderContext();
    const running = canary.render(parse({ durationMs: 600_000, steps: 2 }), ctx);
    await new Promise((resolve) => setTimeout(resolve, 20));
    const reason = new Error("cancelled by test");
    const abortedAt = performance.now();
    abort(reason);
    await expect(running).rejects.toBe(reason);
    expect(performance.now() - abortedAt).toBeLessThan(50);
    expect(artifacts).toHaveLength(0);
  });

  it("rejects with an AbortError when aborted without a reason, even before starting", async () => {
    const { ctx, abort } = createTestRenderContext();
    abort();
    await expect(canary.render(parse({ durationMs: 10, steps: 1 }), ctx)).rejects.toMatchObject({
      name: "AbortError",
    });
  });

  it("rejects out-of-range input with a path per violation", () => {
    const result = canary.inputSchema.safeParse({ durationMs: 600_001, steps: 0, failTimes: 11, extra: 1 });
    expect(result.success).toBe(false);
    const paths = result.error?.issues.map((issue) => issue.path.join(".") || "(root)");
    expect(paths).toEqual(expect.arrayContaining(["durationMs", "steps", "failTimes"]));
    expect(canary.inputSchema.safeParse({ durationMs: 1.5, steps: 1 }).success).toBe(false);
  });

  it("converts to JSON Schema", () => {
    const schema = z.toJSONSchema(canary.inputSchema, { io: "input" });
    expect(schema).toMatchObject({
      type: "object",
      required: ["durationMs", "steps"],
      properties: { durationMs: { maximum: 600_000 }, failTimes: { default: 0 } },
    });
  });
});
