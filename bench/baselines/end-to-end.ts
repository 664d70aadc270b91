// One job at a time, submit → finished as a caller sees it: raw BullMQ `add` → `completed` heard
// through QueueEvents (a no-op worker), against Kiln's `POST` → `content_job.done` on the job's
// SSE stream (a canary of 0 ms, a Kiln worker running). Samples alternate, one raw then one Kiln,
// so a load that changes during the run weighs on both sides alike.
import { readSse } from "@kiln/testkit";
import { Queue, QueueEvents, Worker } from "bullmq";
import { Redis } from "ioredis";
import type { BenchKiln } from "../bench-kiln.ts";
import { latencyOf, load } from "./measure.ts";
import { type Company, canaryJob } from "./submit.ts";

const timed = async (task: () => Promise<void>) => {
  const started = performance.now();
  await task();
  return performance.now() - started;
};

/** Where one Kiln job's time went, in ms (event times are their Redis stream ids' ms stamps). */
interface KilnStages {
  /** POST sent → `202` read. */
  submit: number;
  /** `202` → the job stream's headers. */
  openStream: number;
  /** `202` read → the first `content_job.progress` stored (queue, worker pickup, started row, render thread). */
  acceptedToProgress: number;
  /** That progress stored → `content_job.done` stored (the artifact, the done row). */
  progressToDone: number;
  /** `done` stored → read by this client. */
  delivery: number;
}

const streamMs = (id: string | undefined) => Number(id?.split("-")[0]);

const kilnPostToDone = async (kiln: BenchKiln, { companyId, key }: Company): Promise<KilnStages> => {
  const posted = Date.now();
  const response = await kiln.call("POST", `/api/companies/${companyId}/content-jobs`, key, canaryJob);
  if (response.status !== 202) throw new Error(`submit: ${response.status} ${await response.text()}`);
  const { jobId } = (await response.json()) as { jobId: string };
  const accepted = Date.now();
  const stream = await kiln.call("GET", `/api/companies/${companyId}/content-jobs/${jobId}/events`, key);
  const opened = Date.now();
  // A job done before the stream opened shows it in the snapshot, and the stream ends there.
  const { events } = await readSse(stream, {
    timeoutMs: 10_000,
    until: (event) => event.event === "content_job.done",
  });
  const read = Date.now();
  const last = events.at(-1);
  if (last?.event !== "content_job.done" && last?.data.job?.status !== "done") {
    throw new Error(`job ${jobId} did not finish: ${JSON.stringify(last)}`);
  }
  const at = (type: string) => streamMs(events.find((event) => event.event === type)?.id);
  return {
    submit: accepted - posted,
    openStream: opened - accepted,
    acceptedToProgress: at("content_job.progress") - accepted,
    progressToDone: at("content_job.done") - at("content_job.progress"),
    delivery: read - at("content_job.done"),
  };
};

/** The median of each stage over the samples where the stream saw every event (NaN-free). */
const medianStages = (samples: KilnStages[]) => {
  const complete = samples.filter((stages) => Object.values(stages).every(Number.isFinite));
  const stages = Object.keys(samples[0] ?? {}) as (keyof KilnStages)[];
  return {
    samples: complete.length,
    ...Object.fromEntries(
      stages.map((stage) => [stage, latencyOf(complete.map((sample) => sample[stage])).p50Ms]),
    ),
  };
};

/** `samples` of each side after `warmUp` of each; a Kiln worker must be running. */
export const endToEnd = async (
  kiln: BenchKiln,
  company: Company,
  { samples, warmUp = 10 }: { samples: number; warmUp?: number },
) => {
  const connection = () => new Redis(kiln.redisUrl, { maxRetriesPerRequest: null });
  const [queueRedis, workerRedis, eventsRedis] = [connection(), connection(), connection()];
  const options = { prefix: `${kiln.prefix}:raw` };
  const queue = new Queue("raw-e2e", { connection: queueRedis, ...options });
  const events = new QueueEvents("raw-e2e", { connection: eventsRedis, ...options });
  const worker = new Worker("raw-e2e", async () => {}, { connection: workerRedis, ...options });
  const rawAddToCompleted = async () => {
    // Kept once completed: `waitUntilFinished` reads the finished entry when it is already done.
    const job = await queue.add("canary", canaryJob.input);
    await job.waitUntilFinished(events, 10_000);
  };
  try {
    await Promise.all([events.waitUntilReady(), worker.waitUntilReady()]);
    const raw: number[] = [];
    const kilnSide: number[] = [];
    const stages: KilnStages[] = [];
    for (let i = 0; i < warmUp + samples; i++) {
      const rawMs = await timed(rawAddToCompleted);
      let sample: KilnStages | undefined;
      const kilnMs = await timed(async () => {
        sample = await kilnPostToDone(kiln, company);
      });
      if (i < warmUp) continue;
      raw.push(rawMs);
      kilnSide.push(kilnMs);
      stages.push(sample!);
    }
    return {
      raw: latencyOf(raw),
      kiln: latencyOf(kilnSide),
      kilnStagesP50Ms: medianStages(stages),
      samples,
      load: load(),
    };
  } finally {
    await worker.close();
    await Promise.all([events.close(), queue.close()]);
    for (const redis of [queueRedis, workerRedis, eventsRedis]) redis.disconnect();
  }
};
