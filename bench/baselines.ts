// Kiln against raw baselines, in the same run on the same PostgreSQL and Redis, as ratios
// (Kiln / raw for rates, raw / Kiln for latencies: 1 is as good as the raw baseline):
//   npm run bench -- baselines          every figure (BENCH_SUBMIT_S, BENCH_E2E_SAMPLES,
//                                       BENCH_WORKER_JOBS, BENCH_WORKER_CONCURRENCY change the sizes)
//   npm run bench -- submit             the submit figures only (BENCH_PROFILE_DIR: the API's CPU profile)
// Results are printed and written to bench/results/baselines-<iso>.json.
import { endToEnd } from "./baselines/end-to-end.ts";
import { load, ratio } from "./baselines/measure.ts";
import { kilnSubmit, rawDurableSubmit } from "./baselines/submit.ts";
import { kilnWorker, rawWorker } from "./baselines/worker.ts";
import { startBenchKiln } from "./bench-kiln.ts";
import { writeResults } from "./results.ts";
import { round } from "./stats.ts";

export type Phase = "submit" | "endToEnd" | "worker";

export interface BaselineSizes {
  /** Seconds of each of the four submit rounds (raw, Kiln, Kiln, raw). */
  submitSeconds: number;
  inFlight: number;
  endToEndSamples: number;
  workerJobs: number;
  workerConcurrency: number;
}

export const fullSizes: BaselineSizes = {
  submitSeconds: Number(process.env.BENCH_SUBMIT_S ?? 8),
  inFlight: 64,
  endToEndSamples: Number(process.env.BENCH_E2E_SAMPLES ?? 200),
  workerJobs: Number(process.env.BENCH_WORKER_JOBS ?? 3_000),
  // Kiln's default WORKER_CONCURRENCY.
  workerConcurrency: Number(process.env.BENCH_WORKER_CONCURRENCY ?? 2),
};

export interface Ratios {
  /** Kiln submits/s ÷ raw durable submits/s. */
  submit?: number;
  /** Raw add → completed p50 ÷ Kiln POST → SSE done p50. */
  endToEnd?: number;
  /** Kiln worker jobs/s ÷ raw BullMQ worker jobs/s. */
  worker?: number;
}

const sum = (a: { requests: number }, b: { requests: number }) => a.requests + b.requests;

export const runBaselines = async (
  sizes: BaselineSizes = fullSizes,
  phases: Phase[] = ["worker", "endToEnd", "submit"],
) => {
  const profileDir = process.env.BENCH_PROFILE_DIR;
  const kiln = await startBenchKiln({
    nodeArgs: profileDir ? ["--cpu-prof", `--cpu-prof-dir=${profileDir}`] : [],
  });
  const figures: Record<string, unknown> = { startLoad: load() };
  const ratios: Ratios = {};
  try {
    let worker: Awaited<ReturnType<typeof kilnWorker>>["worker"] | undefined;
    if (phases.includes("worker")) {
      const company = await kiln.createCompany("worker");
      const options = { jobs: sizes.workerJobs, concurrency: sizes.workerConcurrency };
      // The raw worker drains ten times the backlog (it is that much faster), before and after
      // Kiln's: a load that drifts during the run weighs on both sides alike.
      const rawOptions = { ...options, jobs: 10 * options.jobs };
      const raw1 = await rawWorker(kiln, rawOptions);
      const started = await kilnWorker(kiln, company, options);
      const raw2 = await rawWorker(kiln, rawOptions);
      worker = started.worker;
      const rawJobsPerSecond = round((raw1.jobsPerSecond + raw2.jobsPerSecond) / 2);
      figures.worker = { raw: [raw1, raw2], rawJobsPerSecond, kiln: started.result };
      ratios.worker = ratio(started.result.jobsPerSecond, rawJobsPerSecond);
    }
    if (phases.includes("endToEnd")) {
      const company = await kiln.createCompany("end-to-end");
      worker ??= await kiln.startWorker({ WORKER_CONCURRENCY: String(sizes.workerConcurrency) });
      // Ten of each first (connections, JIT, the worker's render thread), then one of each in turn.
      const {
        raw,
        kiln: kilnSide,
        ...rest
      } = await endToEnd(kiln, company, { samples: sizes.endToEndSamples });
      figures.endToEnd = {
        raw,
        kiln: kilnSide,
        ...rest,
        kilnMinusRawP50Ms: round(kilnSide.p50Ms - raw.p50Ms, 2),
      };
      ratios.endToEnd = ratio(raw.p50Ms, kilnSide.p50Ms);
    }
    // The backlog left by the submits stays queued: no worker competes for the CPU meanwhile.
    await worker?.stop("SIGTERM");
    if (phases.includes("submit")) {
      const company = await kiln.createCompany("submit");
      const options = { seconds: sizes.submitSeconds, inFlight: sizes.inFlight };
      await rawDurableSubmit(kiln, company, { ...options, seconds: 1 });
      await kilnSubmit(kiln, company, { ...options, seconds: 1 });
      // Raw, Kiln, Kiln, raw: a load that drifts during the run weighs on both sides alike.
      const raw1 = await rawDurableSubmit(kiln, company, options);
      const kiln1 = await kilnSubmit(kiln, company, options);
      const kiln2 = await kilnSubmit(kiln, company, options);
      const raw2 = await rawDurableSubmit(kiln, company, options);
      const seconds = 2 * sizes.submitSeconds;
      const rawPerSecond = round(sum(raw1, raw2) / seconds);
      const kilnPerSecond = round(sum(kiln1, kiln2) / seconds);
      figures.submit = {
        inFlight: sizes.inFlight,
        raw: [raw1, raw2],
        kiln: [kiln1, kiln2],
        rawPerSecond,
        kilnPerSecond,
      };
      ratios.submit = ratio(kilnPerSecond, rawPerSecond);
    }
  } finally {
    await kiln.close();
  }
  return { ratios, figures, sizes };
};

/** Runs the baselines, prints the ratios and writes the results file. */
export const recordBaselines = async (phases?: Phase[]) => {
  const results = await runBaselines(fullSizes, phases);
  const path = await writeResults("baselines", { at: new Date().toISOString(), ...results });
  console.log(
    `ratios (1 = as good as the raw baseline): ${JSON.stringify(results.ratios)}\nwritten to ${path}`,
  );
  return results;
};
