import { createPrismaForTest } from "@kiln/db/testing";
import { createJobRows } from "@kiln/jobs";
import { waitUntil } from "@kiln/testkit";
import { Queue } from "bullmq";
import { afterAll, beforeAll, expect, it } from "vitest";
import { createTestHarness, type TestHarness } from "../../src/testing/test-harness.ts";
import { getJob } from "./support.ts";

// Upgrading a single-node Redis from key names without hash tags: queued jobs whose queue entries
// sit under the old names are found by the reconciler (PostgreSQL is the truth) and run, once.
let h: TestHarness;
let company: { companyId: string; key: string };
beforeAll(async () => {
  h = await createTestHarness();
  company = await h.createCompany();
}, 60_000);
afterAll(() => h?.close());

it("a job queued under the old key names is enqueued again under the new ones and done exactly once", async () => {
  const prisma = await createPrismaForTest(h.database.url);
  const { job } = await createJobRows({ prisma }).create({
    companyId: company.companyId,
    jobType: "canary",
    input: { durationMs: 0, steps: 1 },
    priority: 0,
    maxAttempts: 3,
  });
  await prisma.$disconnect();
  // As the previous version enqueued it: BullMQ queue `jobs.canary` under the plain prefix.
  const oldQueue = new Queue("jobs.canary", { connection: h.redis, prefix: h.prefix });
  await oldQueue.add("canary", { companyId: company.companyId }, { jobId: job.id });
  expect(await h.services.queues.stateOf("canary", job.id)).toBe("missing");

  await h.runWorker({ KILN_RECONCILE_INTERVAL_MS: "500", KILN_RECONCILE_GRACE_MS: "0" });
  const done = await waitUntil(
    async () => {
      const found = await getJob(h, company, job.id);
      return found.status === "done" ? found : undefined;
    },
    20_000,
    "the job queued before the upgrade done",
  );
  expect(done.attempts).toBe(1);
  // Nothing reads the old names any more: the old entry waits there until an operator deletes it.
  expect(await (await oldQueue.getJob(job.id))?.getState()).toBe("waiting");
  await oldQueue.close();
}, 30_000);
