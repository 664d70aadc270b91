// What other workspaces may use of the worker app: its tests run a worker in-process with these,
// the way main.ts does in a worker process.
export { checkChromium } from "./check-chromium.ts";
export { jobTypesFromArgs, loadWorkerConfig, type WorkerConfig, workerConfigSchema } from "./config.ts";
export { type RunWorkerOptions, runWorker } from "./run-worker.ts";
