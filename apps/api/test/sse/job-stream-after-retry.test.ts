import type { NewJobEvent } from "@kiln/core";
import { readSse, type SseEvent } from "@kiln/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestHarness, type TestHarness } from "../../src/testing/test-harness.ts";
import { jobPath, submitCanary, type TestCompany } from "../routes/support.ts";

// A job retried by hand lives past its old terminal event: its stream ends on the *current* one
// (DESIGN.md, job stream rule 6). The worker's transitions are driven in-process here, the way a
// worker makes them (the row first, then the event), so each case is deterministic.

let h: TestHarness;
let acme: TestCompany;
beforeAll(async () => {
  h = await createTestHarness();
  acme = await h.createCompany("Acme");
});
afterAll(() => h?.close());

const _append = (event: NewJobEvent) => h.services.events.append(event);

/** Starts an attempt through the lifecycle engine, as a worker does (it publishes `started`). */
const startLikeAWorker = async (jobId: string) => {
  const started = await h.services.engine.startAttempt(jobId);
  if (started.kind !== "started") throw new Error(`could not start ${jobId}: ${started.reason}`);
  return started.handle;
};

/** The only attempt of a `maxAttempts: 1` job fails: the job ends `failed`. */
const failLikeAWorker = async (jobId: string) => {
  const handle = await startLikeAWorker(jobId);
  await h.services.engine.fail(handle, { code: "boom", message: "it broke" }, { permanent: false });
};

const finishLikeAWorker = async (jobId: string) => {
  const handle = await startLikeAWorker(jobId);
  await h.services.engine.complete(handle, [
    { name: "canary.json", contentType: "application/json", size: 2, sha256: "00" },
  ]);
};

const retry = async (jobId: string) => {
  const response = await h.request("POST", `${jobPath(acme.companyId, jobId)}/retry`, { key: acme.key });
  expect(response.status).toBe(202);
};

/** Opens the job's stream, resuming after `lastEventId` when given. */
const openStream = async (jobId: string, lastEventId?: string) => {
  const response = await h.request("GET", `${jobPath(acme.companyId, jobId)}/events`, {
    key: acme.key,
    headers: { "last-event-id": lastEventId },
  });
  expect(response.status).toBe(200);
  return response;
};

/** A job that failed, then was retried by hand; `before` is an event id from before the failure. */
const failedThenRetried = async () => {
  const jobId = await submitCanary(h, acme, { maxAttempts: 1 });
  const before = (await h.services.events.lastJobEventId(acme.companyId, jobId))!;
  await failLikeAWorker(jobId);
  await retry(jobId);
  return { jobId, before };
};

const typesOf = (events: SseEvent[]) => events.map((event) => event.event);
const statusOf = (event: SseEvent | undefined) =>
  (event?.data.job as { status?: string } | undefined)?.status;

describe("the job stream across a manual retry", () => {
  it("resumed from before the failure while the job is queued again: replays the old failure, then goes live until the new terminal event", async () => {
    const { jobId, before } = await failedThenRetried();
    const response = await openStream(jobId, before);
    let finishing: Promise<void> | undefined;
    const { events, ended } = await readSse(response, {
      timeoutMs: 5_000,
      // The replay reached the retry's snapshot: the job now runs again, live.
      onEvent: (event) => {
        if (event.event === "content_job.status" && statusOf(event) === "queued") {
          finishing = finishLikeAWorker(jobId);
        }
      },
    });
    await finishing;
    expect(typesOf(events)).toEqual([
      "content_job.started",
      "content_job.failed",
      "content_job.status",
      "content_job.started",
      "content_job.done",
    ]);
    expect(ended).toBe(true);
    expect(new Set(events.map((event) => event.id)).size).toBe(events.length);
  });

  it("resumed after the job finished again: the replay holds the old and the new terminal event and ends after the new one, each event once", async () => {
    const { jobId, before } = await failedThenRetried();
    await finishLikeAWorker(jobId);
    const { events, ended } = await readSse(await openStream(jobId, before), { timeoutMs: 5_000 });
    expect(ended).toBe(true);
    const logged = await h.services.events.replayJob(acme.companyId, jobId, before);
    expect(events.map(({ id, event }) => ({ id, event }))).toEqual(
      logged.map(({ id, type }) => ({ id, event: type })),
    );
    expect(typesOf(events)).toEqual([
      "content_job.started",
      "content_job.failed",
      "content_job.status",
      "content_job.started",
      "content_job.done",
    ]);
  });

  it("opened without Last-Event-ID while the job is queued again: the snapshot is not terminal, the stream stays open until the new terminal event", async () => {
    const { jobId } = await failedThenRetried();
    const response = await openStream(jobId);
    let finishing: Promise<void> | undefined;
    const { events, ended } = await readSse(response, {
      timeoutMs: 5_000,
      onEvent: (event) => {
        if (event.event === "content_job.status") finishing = finishLikeAWorker(jobId);
      },
    });
    await finishing;
    expect(typesOf(events)).toEqual(["content_job.status", "content_job.started", "content_job.done"]);
    expect(statusOf(events[0])).toBe("queued");
    expect(ended).toBe(true);
  });

  it("resumed from the retry's own event after the job finished again: replays the new attempt only", async () => {
    const { jobId } = await failedThenRetried();
    const retried = (await h.services.events.lastJobEventId(acme.companyId, jobId))!;
    await finishLikeAWorker(jobId);
    const { events, ended } = await readSse(await openStream(jobId, retried), { timeoutMs: 5_000 });
    expect(typesOf(events)).toEqual(["content_job.started", "content_job.done"]);
    expect(ended).toBe(true);
  });

  it("resumed from before the failure of a job that was not retried: still ends on its failure", async () => {
    const jobId = await submitCanary(h, acme, { maxAttempts: 1 });
    const before = (await h.services.events.lastJobEventId(acme.companyId, jobId))!;
    await failLikeAWorker(jobId);
    const { events, ended } = await readSse(await openStream(jobId, before), { timeoutMs: 5_000 });
    expect(typesOf(events)).toEqual(["content_job.started", "content_job.failed"]);
    expect(ended).toBe(true);
  });
});
