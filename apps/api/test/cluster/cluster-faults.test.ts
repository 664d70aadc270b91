import { createPrismaForTest } from "@kiln/db/testing";
import { createJobRows } from "@kiln/jobs";
import { readSse, type SseEvent, waitUntil } from "@kiln/testkit";
import { type RedisCluster, startRedisCluster } from "@kiln/testkit/redis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestHarness, type TestHarness } from "../../src/testing/test-harness.ts";
import { terminalEvents } from "../faults/support.ts";
import { clusterOf, getJob, openJobStream, submitJob, type TestCompany } from "./support.ts";

// The fault tests' shapes (faults/worker-killed, faults/reconciler) on a real Redis Cluster of 3
// masters, started for this file: a worker process killed mid-job, and Redis losing its data.
let cluster: RedisCluster;
let h: TestHarness;
let company: TestCompany;
const fastStall = {
  KILN_LOCK_DURATION_MS: "2000",
  KILN_STALLED_INTERVAL_MS: "1000",
  KILN_PROGRESS_INTERVAL_MS: "0",
};
const reconcileFast = { KILN_RECONCILE_INTERVAL_MS: "500", KILN_RECONCILE_GRACE_MS: "0" };

beforeAll(async () => {
  cluster = await startRedisCluster({ masters: 3 });
  h = await createTestHarness({ redisUrl: cluster.url });
  company = await h.createCompany();
}, 90_000);
afterAll(async () => {
  await h?.close();
  await cluster?.stop();
});

const waitForDone = (jobId: string) =>
  waitUntil(
    async () => {
      const found = await getJob(h, company, jobId);
      return found.status === "done" ? found : undefined;
    },
    20_000,
    `job ${jobId} done`,
  );

describe("faults on a Redis Cluster", () => {
  it("a worker process SIGKILLed mid-job: another worker completes it after the stall window", async () => {
    const first = await h.startWorker(fastStall);
    const jobId = await submitJob(h, company, {
      jobType: "canary",
      input: { durationMs: 3000, steps: 30 },
      maxAttempts: 3,
    });
    let killed = false;
    let second: ReturnType<TestHarness["runWorker"]> | undefined;
    const onEvent = (event: SseEvent) => {
      if (!killed && event.event === "content_job.progress" && (event.data.progress as number) >= 10) {
        killed = true;
        first.child.kill("SIGKILL");
        second = h.runWorker(fastStall);
      }
    };
    const { events, ended } = await readSse(await openJobStream(h, company, jobId), {
      onEvent,
      timeoutMs: 40_000,
    });
    expect(killed).toBe(true);
    expect(ended).toBe(true);
    const retrying = events.filter((e) => e.event === "content_job.retrying");
    expect(retrying.map((e) => e.data)).toMatchObject([{ attempt: 2, error: { code: "worker_lost" } }]);
    expect(terminalEvents(events)).toHaveLength(1);
    expect(events.at(-1)).toMatchObject({ event: "content_job.done", data: { job: { attempts: 2 } } });
    expect(await getJob(h, company, jobId)).toMatchObject({ status: "done", attempts: 2, progress: 100 });
    // The next test needs a fleet without workers.
    await (await second)?.close();
  }, 60_000);

  it("every master flushed with jobs queued: the reconciler enqueues them again, each done exactly once", async () => {
    const ids = await Promise.all(
      Array.from({ length: 5 }, () =>
        submitJob(h, company, { jobType: "canary", input: { durationMs: 50, steps: 2 } }),
      ),
    );
    expect(await h.services.queues.stateOf("canary", ids[0]!)).not.toBe("missing");
    // The cluster is this file's own: losing all of its data is what is tested.
    await Promise.all(
      clusterOf(h)
        .nodes("master")
        .map((node) => node.flushall()),
    );
    for (const id of ids) expect(await h.services.queues.stateOf("canary", id)).toBe("missing");

    await h.runWorker(reconcileFast);
    for (const id of ids) expect((await waitForDone(id)).attempts).toBe(1);
  }, 60_000);

  it("a row committed whose enqueue never happened is found and run", async () => {
    const prisma = await createPrismaForTest(h.database.url);
    const { job } = await createJobRows({ prisma }).create({
      companyId: company.companyId,
      jobType: "canary",
      input: { durationMs: 0, steps: 1, failTimes: 0 },
      priority: 0,
      maxAttempts: 3,
    });
    await prisma.$disconnect();
    expect(await h.services.queues.stateOf("canary", job.id)).toBe("missing");
    expect((await waitForDone(job.id)).attempts).toBe(1);
  }, 30_000);
});
