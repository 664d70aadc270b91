import { ConfigError } from "@kiln/core";
import { createLogger } from "@kiln/telemetry";
import { jobTypesFromArgs, loadWorkerConfig } from "./config.ts";
import { runWorker } from "./run-worker.ts";

/** A worker process: `npm run start:worker [-- --job-types a,b]`. Any number may run against the same Redis and PostgreSQL. */
const main = async () => {
  const config = loadWorkerConfig();
  const logger = createLogger({
    level: config.LOG_LEVEL,
    base: { service: "kiln-worker", pid: process.pid },
  });
  const worker = await runWorker({
    config,
    logger,
    jobTypes: jobTypesFromArgs(process.argv.slice(2)) ?? config.KILN_WORKER_JOB_TYPES,
  });
  process.stdout.write(`KILN_WORKER_READY jobTypes=${worker.jobTypes.join(",")}\n`);

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, "stopping worker: finishing jobs in flight");
    const forced = setTimeout(() => process.exit(1), config.KILN_SHUTDOWN_GRACE_MS + 15_000);
    forced.unref();
    await worker.close();
    logger.info("worker stopped");
    process.exit(0);
  };
  process.on("SIGTERM", () => void stop("SIGTERM"));
  process.on("SIGINT", () => void stop("SIGINT"));
};

main().catch((error: unknown) => {
  const message =
    error instanceof ConfigError
      ? error.message
      : `kiln worker failed to start: ${error instanceof Error ? error.message : String(error)}`;
  process.stderr.write(`${message}\n`);
  process.exit(1);
});
