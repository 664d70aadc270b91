import { createPrismaForTest } from "@kiln/db/testing";
import type { JobEngine } from "@kiln/jobs";
import { waitUntil } from "@kiln/testkit";
import { afterEach, describe, expect, it } from "vitest";
import { createTestHarness, type TestHarness } from "../../src/testing/test-harness.ts";

/**
 * Company A floods a job type, then company B submits a few jobs. Served first come first served,
 * B's jobs would wait for all of A's. Served fairly (see packages/queue fair-lines.ts), the queue
 * holds about one ready job per two worker slots and the companies' lines take turns, so once B's
 * k-th job is submitted, at most `slots + ready window + k` of A's jobs start before it does. The
 * bound counts jobs, not seconds, so it holds however loaded the machine is.
 */
const floodJobs = 2_000;
/** Two workers drain faster; fewer jobs keep the flood as long while the suite stays quick. */
const floodJobsTwoWorkers = 800;
const quietJobs = 10;
const canary = { jobType: "canary", input: { durationMs: 0, steps: 1 } };

let h: TestHarness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const flood = async (engines: JobEngine[], companyId: string, count: number) => {
  for (let i = 0; i < count; i += 50) {
    await Promise.all(
      Array.from({ length: Math.min(50, count - i) }, (_, j) =>
        engines[(i + j) % engines.length]!.submit({ companyId, ...canary, priority: 0, maxAttempts: 3 }),
      ),
    );
  }
};

const run = async ({ workers, apis, floodSize }: { workers: number; apis: number; floodSize: number }) => {
  const harness = await createTestHarness();
  h = harness;
  const concurrency = 2;
  for (let i = 0; i < workers; i++) await harness.startWorker({ WORKER_CONCURRENCY: String(concurrency) });
  const instances = [{ services: harness.services, request: harness.request }];
  for (let i = 1; i < apis; i++) instances.push(await harness.addApiInstance());
  const a = await harness.createCompany("Noisy");
  const b = await harness.createCompany("Quiet");

  await flood(
    instances.map((instance) => instance.services.engine),
    a.companyId,
    floodSize,
  );
  const quiet: string[] = [];
  for (let k = 0; k < quietJobs; k++) {
    const response = await instances[k % instances.length]!.request(
      "POST",
      `/api/companies/${b.companyId}/content-jobs`,
      { key: b.key, body: canary },
    );
    expect(response.status).toBe(202);
    quiet.push(((await response.json()) as { jobId: string }).jobId);
  }

  // B's jobs are what is measured; the rest of A's flood is left to the harness's close.
  const prisma = await createPrismaForTest(harness.database.url);
  await waitUntil(
    async () =>
      (await prisma.contentJob.count({ where: { id: { in: quiet }, status: "done" } })) === quietJobs,
    240_000,
    "every one of B's jobs done",
  );

  // For each of B's jobs: how many of A's started between its submit and its own start.
  const stillLined = await prisma.contentJob.count({ where: { companyId: a.companyId, status: "queued" } });
  const slots = workers * concurrency;
  const window = Math.max(1, Math.ceil(slots / 2));
  const report: { k: number; aheadOfIt: number; waitMs: number }[] = [];
  for (const [k, jobId] of quiet.entries()) {
    const job = await prisma.contentJob.findUniqueOrThrow({ where: { id: jobId } });
    const submitted = job.createdAt;
    const started = job.startedAt!;
    const ahead = await prisma.contentJob.count({
      where: { companyId: a.companyId, startedAt: { gt: submitted, lt: started } },
    });
    report.push({ k: k + 1, aheadOfIt: ahead, waitMs: started.getTime() - submitted.getTime() });
  }
  await prisma.$disconnect();
  console.log(
    `noisy neighbour (${workers} worker(s) × ${concurrency}, ${apis} API):`,
    JSON.stringify(report),
  );
  for (const { k, aheadOfIt } of report) expect(aheadOfIt).toBeLessThanOrEqual(slots + window + k);
  // Served first come first served, none of B's would have been done while A's flood still waited.
  expect(stillLined).toBeGreaterThan(0);
};

describe("a company flooding a job type does not hold up another's jobs", () => {
  it(`${floodJobs} of A's jobs, then ${quietJobs} of B's: one worker at concurrency 2, one API`, async () => {
    await run({ workers: 1, apis: 1, floodSize: floodJobs });
  }, 300_000);

  it(`${floodJobsTwoWorkers} of A's jobs, then ${quietJobs} of B's: two workers at concurrency 2, two API instances`, async () => {
    await run({ workers: 2, apis: 2, floodSize: floodJobsTwoWorkers });
  }, 300_000);
});
