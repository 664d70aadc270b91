import { readSse } from "@kiln/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestHarness, type TestHarness } from "../../src/testing/test-harness.ts";
import { jobPath, type TestCompany } from "../routes/support.ts";

let h: TestHarness;
let acme: TestCompany;
beforeAll(async () => {
  h = await createTestHarness();
  acme = await h.createCompany("Acme");
  await h.runWorker({ KILN_PROGRESS_INTERVAL_MS: "0" });
}, 90_000);
afterAll(() => h?.close());

const openStream = async (jobId: string, lastEventId?: string) => {
  const response = await h.request("GET", `${jobPath(acme.companyId, jobId)}/events`, {
    key: acme.key,
    headers: { "last-event-id": lastEventId },
  });
  expect(response.status).toBe(200);
  return response;
};

const statusOf = async (jobId: string) => {
  const response = await h.request("GET", jobPath(acme.companyId, jobId), { key: acme.key });
  return ((await response.json()) as { status: string }).status;
};

describe("a real worker: resuming a job's stream across a manual retry", () => {
  it("replays what was missed, old failure included, then stays live until the retried job is done", async () => {
    // One attempt, which the canary fails on purpose (after its work); the retry's attempt succeeds.
    const submitted = await h.request("POST", `/api/companies/${acme.companyId}/content-jobs`, {
      key: acme.key,
      body: { jobType: "canary", input: { durationMs: 900, steps: 3, failTimes: 1 }, maxAttempts: 1 },
    });
    expect(submitted.status).toBe(202);
    const { jobId } = (await submitted.json()) as { jobId: string };

    const first = await readSse(await openStream(jobId), { timeoutMs: 20_000 });
    expect(first.ended).toBe(true);
    expect(first.events.at(-1)).toMatchObject({
      event: "content_job.failed",
      data: { job: { status: "failed", error: { code: "canary_failure" } } },
    });
    // The client lost its connection at the first progress event, before the failure.
    const before = first.events.find((event) => event.event === "content_job.progress")!.id!;

    const retried = await h.request("POST", `${jobPath(acme.companyId, jobId)}/retry`, { key: acme.key });
    expect(retried.status).toBe(202);
    // The retried attempt takes ~900 ms: the stream below opens while the job lives again.
    expect(["queued", "running"]).toContain(await statusOf(jobId));

    const resumed = await readSse(await openStream(jobId, before), { timeoutMs: 20_000 });
    expect(resumed.ended).toBe(true);
    expect(resumed.events.at(-1)).toMatchObject({
      event: "content_job.done",
      data: { job: { status: "done", attempts: 2 } },
    });
    // Everything the job logged after that id, in order, each once: the old failure, the retry's
    // snapshot and the whole new attempt.
    const logged = await h.services.events.replayJob(acme.companyId, jobId, before);
    expect(resumed.events.map(({ id, event }) => ({ id, event }))).toEqual(
      logged.map(({ id, type }) => ({ id, event: type })),
    );
    expect(resumed.events.filter((event) => event.event === "content_job.failed")).toHaveLength(1);
    expect(resumed.events.filter((event) => event.event === "content_job.started")).toHaveLength(1);
    expect(await statusOf(jobId)).toBe("done");
  }, 60_000);
});
