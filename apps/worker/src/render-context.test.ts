import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { eventSizeLimits, jsonBytes, RenderError, silentLogger } from "@kiln/core";
import { createLocalArtifactStore } from "@kiln/storage";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createRenderContext } from "./render-context.ts";

let root: string;
beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), "kiln-render-context-"));
});
afterEach(() => rm(root, { recursive: true, force: true }));

const setup = (artifactsRoot = root) => {
  const reports: { progress: number; stage: string; message?: string }[] = [];
  const run = createRenderContext({
    jobId: "job-1",
    companyId: "company-1",
    attempt: 1,
    signal: new AbortController().signal,
    logger: silentLogger,
    artifacts: createLocalArtifactStore({ root: artifactsRoot }),
    progressIntervalMs: 0,
    onProgress: async (progress, stage, message) => {
      reports.push({ progress, stage, ...(message !== undefined && { message }) });
    },
  });
  return { run, reports };
};

describe("what a renderer records stays within eventSizeLimits", () => {
  it("artifact metadata that grew with the input is capped where the artifact is recorded", async () => {
    const { run } = setup();
    const headings = Array.from({ length: 500 }, (_, index) => ({
      depth: 2,
      text: `Heading ${index} ${"h".repeat(190)}`,
    }));
    await run.ctx.writeArtifact({
      name: "index.html",
      contentType: "text/html; charset=utf-8",
      body: "<p>hi</p>",
      metadata: { title: "Doc", bytes: 9, headings },
    });
    const [artifact] = run.artifacts();
    expect(jsonBytes(artifact!.metadata)).toBeLessThanOrEqual(eventSizeLimits.artifactMetadataBytes);
    expect(artifact!.metadata).toMatchObject({ title: "Doc", bytes: 9, truncated: true });
    expect((artifact!.metadata!.headings as unknown[]).length).toBeGreaterThan(0);
  });

  it("small metadata is recorded as given", async () => {
    const { run } = setup();
    await run.ctx.writeArtifact({
      name: "a.json",
      contentType: "application/json",
      body: "{}",
      metadata: { pages: 1 },
    });
    expect(run.artifacts()[0]!.metadata).toEqual({ pages: 1 });
  });

  it(`a job records at most ${eventSizeLimits.artifactsPerJob} artifacts; rewriting one is not a new one`, async () => {
    const { run } = setup();
    for (let index = 0; index < eventSizeLimits.artifactsPerJob; index++) {
      await run.ctx.writeArtifact({ name: `a${index}.txt`, contentType: "text/plain", body: "x" });
    }
    await run.ctx.writeArtifact({ name: "a0.txt", contentType: "text/plain", body: "y" });
    const refused = await run.ctx
      .writeArtifact({ name: "one-too-many.txt", contentType: "text/plain", body: "x" })
      .catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(RenderError);
    expect(refused).toMatchObject({ code: "too_many_artifacts", retryable: false });
    expect(run.artifacts()).toHaveLength(eventSizeLimits.artifactsPerJob);
  });

  it("progress stage and message are cut; reports per attempt are capped", async () => {
    const { run, reports } = setup();
    run.ctx.reportProgress(1, "s".repeat(1000), "m".repeat(100_000));
    // Stage changes always go through the throttle: alternate two stages far past the cap.
    for (let index = 0; index < eventSizeLimits.progressReportsPerAttempt * 3; index++) {
      run.ctx.reportProgress(1, index % 2 === 0 ? "a" : "b");
    }
    await run.settle();
    expect(jsonBytes(reports[0]!.stage) - 2).toBeLessThanOrEqual(eventSizeLimits.stageBytes);
    expect(jsonBytes(reports[0]!.message) - 2).toBeLessThanOrEqual(eventSizeLimits.progressMessageBytes);
    expect(reports).toHaveLength(eventSizeLimits.progressReportsPerAttempt);
  });
});

describe("an artifact store that fails", () => {
  it("fails the attempt retryably with artifact_storage_failed, naming the store's answer; nothing recorded", async () => {
    // A file where the store's root folder should be: every write fails (ENOTDIR), as a full or
    // read-only disk, or an S3 bucket that refuses, would.
    await writeFile(join(root, "not-a-folder"), "");
    const { run } = setup(join(root, "not-a-folder"));
    const refused = await run.ctx
      .writeArtifact({ name: "a.txt", contentType: "text/plain", body: "x" })
      .catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(RenderError);
    expect(refused).toMatchObject({ code: "artifact_storage_failed", retryable: true });
    expect((refused as RenderError).message).toMatch(/^could not store a\.txt: ENOTDIR/);
    expect(run.artifacts()).toEqual([]);
  });
});
