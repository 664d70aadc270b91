import { createPrismaForTest } from "@kiln/db/testing";
import { createJobRows } from "@kiln/jobs";
import { waitUntil } from "@kiln/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestHarness, type TestHarness } from "../../src/testing/test-harness.ts";
import { getJob, submitJob } from "./support.ts";

// FLUSHDB wipes a whole Redis database: this file owns database 14 and nobody else uses it.
const flushableRedis = "redis://127.0.0.1:6379/14";
const reconcileFast = { KILN_RECONCILE_INTERVAL_MS: "500", KILN_RECONCILE_GRACE_MS: "0" };

let h: TestHarness;
let company: { companyId: string; key: string };
beforeAll(async () => {
  h = await createTestHarness({ redisUrl: flushableRedis });
  company = await h.createCompany();
}, 60_000);
afterAll(() => h?.close());

describe("the reconciler puts committed jobs back on the queue", () => {
  it("FLUSHDB with queued jobs: they are enqueued again and done, each exactly once", async () => {
    const ids = await Promise.all(
      Array.from({ length: 5 }, () =>
        submitJob(h, company, { jobType: "canary", input: { durationMs: 50, steps: 2 } }),
      ),
    );
    expect(await h.services.queues.stateOf("canary", ids[0]!)).not.toBe("missing");
    await h.redis.flushdb();
    expect(await h.services.queues.stateOf("canary", ids[0]!)).toBe("missing");

    const worker = await h.runWorker(reconcileFast);
    for (const id of ids) {
      const job = await waitUntil(
        async () => {
          const found = await getJob(h, company, id);
          return found.status === "done" ? found : undefined;
        },
        20_000,
        `job ${id} done`,
      );
      expect(job.attempts).toBe(1);
    }
    await worker.close();
  }, 60_000);

  it("a row committed whose enqueue never happened (a crash in between) is found and run", async () => {
    // The engine's row write alone: the row is committed exactly as submit commits it, and nothing is enqueued.
    const prisma = await createPrismaForTest(h.database.url);
    const { job } = await createJobRows({ prisma }).create({
      companyId: company.companyId,
      jobType: "canary",
      input: { durationMs: 0, steps: 1, failTimes: 0 },
      priority: 0,
      maxAttempts: 3,
    });
    await prisma.$disconnect();
    // No worker runs yet, so nothing can have enqueued it but the reconciler started below.
    expect(await h.services.queues.stateOf("canary", job.id)).toBe("missing");
    await h.runWorker(reconcileFast);
    const done = await waitUntil(
      async () => {
        const found = await getJob(h, company, job.id);
        return found.status === "done" ? found : undefined;
      },
      20_000,
      "the orphaned job done",
    );
    expect(done.attempts).toBe(1);
  }, 30_000);
});
