import { describeStorageLocation, type Logger, type Renderer, storageLocationOf } from "@kiln/core";
import { createJobStore, createPrismaClient, guardDatabase } from "@kiln/db";
import { createJobEngine, createJobRows, queueBackoffStrategy, queueMaxStalledCount } from "@kiln/jobs";
import {
  createControlPublisher,
  createEventLog,
  createJobQueues,
  createLeaderLease,
  createRedisConnection,
  type QueuedJobData,
  queueNameOf,
  queuePrefixOf,
  subscribeToControl,
} from "@kiln/queue";
import { createRendererRegistry, createRenderRunner } from "@kiln/renderers";
import { createArtifactStore } from "@kiln/storage";
import { Worker } from "bullmq";
import { startSlotAnnouncer } from "./announce-slots.ts";
import { checkChromium } from "./check-chromium.ts";
import type { WorkerConfig } from "./config.ts";
import { watchEventLoop } from "./loop-health.ts";
import { startWorkerMetrics } from "./metrics/worker-metrics.ts";
import { type AttemptResult, abortReasons, createJobProcessor } from "./process-job.ts";
import { createReconciler } from "./reconciler.ts";
import { createReleasedJobRequeuer } from "./requeue-released.ts";

export interface RunWorkerOptions {
  config: WorkerConfig;
  logger: Logger;
  /** Job types to serve; empty or absent serves every registered type. */
  jobTypes?: string[];
}

/** Starts a worker process's pieces: one BullMQ worker per served job type, the control listener, the reconciler. */
export const runWorker = async ({ config, logger, jobTypes }: RunWorkerOptions) => {
  const prefix = config.KILN_REDIS_PREFIX;
  const prisma = createPrismaClient({ databaseUrl: config.DATABASE_URL });
  const redis = createRedisConnection({ url: config.REDIS_URL, name: "kiln-worker" });
  const blocking = createRedisConnection({
    url: config.REDIS_URL,
    name: "kiln-worker-queue",
    blocking: true,
  });
  const controlSubscriber = createRedisConnection({
    url: config.REDIS_URL,
    name: "kiln-worker-control",
    blocking: true,
  });

  const renderers = createRendererRegistry({
    chromium: {
      executablePath: config.KILN_CHROMIUM_PATH,
      concurrency: config.KILN_PDF_CONCURRENCY,
      renderTimeoutMs: config.KILN_RENDER_TIMEOUT_MS,
      warmPages: config.KILN_CHROMIUM_WARM_PAGES,
    },
  });
  const served = jobTypes && jobTypes.length > 0 ? jobTypes : [...renderers.keys()];
  const unknown = served.filter((jobType) => !renderers.has(jobType));
  if (unknown.length > 0) {
    throw new Error(`unknown job type(s): ${unknown.join(", ")}; known: ${[...renderers.keys()].join(", ")}`);
  }
  await checkChromium({ served, executablePath: config.KILN_CHROMIUM_PATH, logger });

  const runner = await createRenderRunner({
    renderers,
    jobTypes: served,
    concurrency: config.WORKER_CONCURRENCY,
    limits: config.KILN_RENDER_LIMITS,
    minThreads: config.KILN_RENDER_WARM_THREADS,
    logger,
  });
  const loop = watchEventLoop({ windowMs: config.KILN_LOCK_DURATION_MS });
  // What the loop would otherwise load on a first job, while holding other jobs' locks: the
  // renderers' drivers, and Prisma's query compiler (its WebAssembly is compiled on first use).
  await Promise.all([
    ...served.map((jobType) => renderers.get(jobType)?.warmUp?.()),
    prisma.contentJob.findFirst({
      where: { id: "00000000-0000-0000-0000-000000000000" },
      select: { id: true },
    }),
  ]);

  const jobs = guardDatabase(createJobStore({ prisma }));
  const queues = createJobQueues({ connection: redis, prefix });
  const events = createEventLog({
    redis,
    prefix,
    retention: { maxAgeMs: config.KILN_EVENT_RETENTION_MS, minCount: config.KILN_EVENT_RETENTION_COUNT },
  });
  const metrics = await startWorkerMetrics({
    port: config.KILN_WORKER_METRICS_PORT,
    host: config.KILN_WORKER_METRICS_HOST,
    jobTypes: served,
    logger,
  });
  const storage = storageLocationOf(config);
  const artifacts = await createArtifactStore(storage);
  const engine = createJobEngine({
    rows: guardDatabase(createJobRows({ prisma })),
    reads: jobs,
    queues,
    events,
    control: createControlPublisher({ redis, prefix }),
    artifacts,
    logger,
    retryBackoffMs: config.KILN_RETRY_BACKOFF_MS,
  });
  const processJob = createJobProcessor({
    engine,
    artifacts,
    render: (jobType, input, ctx) => runner.run(jobType, input, ctx),
    logger,
    progressIntervalMs: config.KILN_PROGRESS_INTERVAL_MS,
    observer: metrics.observer,
  });

  const requeuer = createReleasedJobRequeuer({ engine, logger });
  const workers = new Map<string, Worker<QueuedJobData, AttemptResult>>();
  for (const jobType of served) {
    const worker = new Worker<QueuedJobData, AttemptResult>(queueNameOf(jobType), processJob, {
      connection: blocking,
      prefix: queuePrefixOf(prefix, jobType),
      concurrency: config.WORKER_CONCURRENCY,
      lockDuration: config.KILN_LOCK_DURATION_MS,
      stalledInterval: config.KILN_STALLED_INTERVAL_MS,
      // The engine counts attempts (fenced in PostgreSQL) and decides each retry's delay; BullMQ
      // must not give up on a stalled job first.
      maxStalledCount: queueMaxStalledCount,
      settings: { backoffStrategy: queueBackoffStrategy(config.KILN_RETRY_BACKOFF_MS) },
    });
    worker.on("error", (error) => logger.warn({ err: error, jobType }, "queue worker error"));
    // A lock we could not renew means the job may already run elsewhere (stalled, or its entry
    // vanished): stop rendering rather than run it twice at once. Our row writes are fenced anyway.
    // BullMQ renews locks every half lock duration: a loop stalled that long lost them itself.
    worker.on("lockRenewalFailed", (jobIds) => {
      const stalled = loop.recentMaxDelayMs() > config.KILN_LOCK_DURATION_MS / 2;
      const reason = stalled ? abortReasons.lockLostStalled : abortReasons.lockLost;
      for (const jobId of jobIds) worker.cancelJob(jobId, reason);
      logger.warn({ jobIds, jobType, loopStalled: stalled }, "lost the lock of running jobs: aborted them");
    });
    // A retry that came while this worker held the old attempt's entry is enqueued once it lets go.
    requeuer.watch(worker);
    workers.set(jobType, worker);
  }

  const control = await subscribeToControl({
    subscriber: controlSubscriber,
    prefix,
    onCommand: (command) => {
      if (command.type !== "cancel") return;
      const cancelled = workers.get(command.jobType)?.cancelJob(command.jobId, abortReasons.cancelled);
      if (cancelled) logger.info({ jobId: command.jobId }, "cancelling a running job");
    },
  });

  const reconciler = createReconciler({
    engine,
    jobs,
    lease: createLeaderLease({
      redis,
      key: `${prefix}:reconciler:lease`,
      ttlMs: config.KILN_RECONCILE_INTERVAL_MS * 3,
    }),
    logger,
    intervalMs: config.KILN_RECONCILE_INTERVAL_MS,
    graceMs: config.KILN_RECONCILE_GRACE_MS,
    jobTypes: served,
  });
  reconciler.start();
  const announcer = startSlotAnnouncer({
    queues,
    jobTypes: served,
    slots: config.WORKER_CONCURRENCY,
    logger,
  });
  await announcer.ready;
  logger.info(
    {
      jobTypes: served,
      concurrency: config.WORKER_CONCURRENCY,
      artifacts: describeStorageLocation(storage),
      renderLimits: Object.fromEntries(served.map((jobType) => [jobType, runner.limitsOf(jobType)])),
    },
    "kiln worker started",
  );

  return {
    jobTypes: served,
    renderers: renderers as Map<string, Renderer>,
    /**
     * Stops taking jobs and lets those in flight finish within the grace period; after it, they are
     * aborted and handed back to the queue (a retry, not a stall).
     */
    async close() {
      await reconciler.close();
      await announcer.close();
      const closing = Promise.all([...workers.values()].map((worker) => worker.close()));
      const grace = setTimeout(() => {
        logger.warn("grace period over: aborting jobs still running");
        for (const worker of workers.values()) worker.cancelAllJobs(abortReasons.shutdown);
      }, config.KILN_SHUTDOWN_GRACE_MS);
      await closing;
      clearTimeout(grace);
      await requeuer.close();
      await control.close().catch(() => {});
      await runner.close();
      loop.close();
      await Promise.allSettled([...renderers.values()].map((renderer) => renderer.close?.()));
      await queues.close().catch(() => {});
      await artifacts.close();
      redis.disconnect();
      blocking.disconnect();
      await prisma.$disconnect().catch(() => {});
      await metrics.close();
    },
  };
};
