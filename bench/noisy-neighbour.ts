// A noisy tenant floods the canary queue; a quiet tenant submits now and then. How long does the
// quiet tenant's job wait for a worker slot (submit → its attempt started)?
//   npm run bench -- noisy            (BENCH_FLOOD=300 BENCH_FLOOD_MS=200 to change the flood)

import { startBenchKiln } from "./bench-kiln.ts";
import { percentile, round } from "./stats.ts";

const floodJobs = Number(process.env.BENCH_FLOOD ?? 300);
const floodMs = Number(process.env.BENCH_FLOOD_MS ?? 200);
const quietJobs = 20;

const jobOf = async (
  kiln: Awaited<ReturnType<typeof startBenchKiln>>,
  companyId: string,
  key: string,
  jobId: string,
) =>
  (await (await kiln.call("GET", `/api/companies/${companyId}/content-jobs/${jobId}`, key)).json()) as {
    status: string;
    createdAt: string;
    startedAt: string | null;
  };

export const runNoisyNeighbourBench = async () => {
  // The flood must reach the queue: this measures scheduling, not the submit rate limits (the
  // bench Kiln's limits are roomy).
  const kiln = await startBenchKiln();
  try {
    const noisy = await kiln.createCompany("noisy");
    const quiet = await kiln.createCompany("quiet");
    const submit = async (company: { companyId: string; key: string }, durationMs: number) => {
      const response = await kiln.call(
        "POST",
        `/api/companies/${company.companyId}/content-jobs`,
        company.key,
        {
          jobType: "canary",
          input: { durationMs, steps: 1 },
        },
      );
      if (response.status !== 202) throw new Error(`submit: ${response.status} ${await response.text()}`);
      return ((await response.json()) as { jobId: string }).jobId;
    };
    await kiln.startWorker({ WORKER_CONCURRENCY: "2" });
    const flood: string[] = [];
    for (let i = 0; i < floodJobs; i += 25) {
      flood.push(
        ...(await Promise.all(
          Array.from({ length: Math.min(25, floodJobs - i) }, () => submit(noisy, floodMs)),
        )),
      );
    }
    // The quiet tenant's jobs, one every half second while the flood is being worked off.
    const quietIds: string[] = [];
    for (let i = 0; i < quietJobs; i++) {
      quietIds.push(await submit(quiet, 0));
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
    const waits: number[] = [];
    for (const jobId of quietIds) {
      for (;;) {
        const job = await jobOf(kiln, quiet.companyId, quiet.key, jobId);
        if (job.startedAt) {
          waits.push(new Date(job.startedAt).getTime() - new Date(job.createdAt).getTime());
          break;
        }
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    }
    return {
      setup: `1 worker × 2 slots; noisy tenant: ${floodJobs} canary jobs of ${floodMs} ms at once; quiet tenant: ${quietJobs} jobs, one per 500 ms`,
      quietWaitP50Ms: round(percentile(waits, 50)),
      quietWaitP99Ms: round(percentile(waits, 99)),
      quietWaitMaxMs: round(Math.max(...waits)),
    };
  } finally {
    await kiln.close();
  }
};
