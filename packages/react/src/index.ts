export { applyJobEvent, type JobView } from "./job-view.ts";
export { KilnProvider, useKilnClient } from "./kiln-provider.ts";
export { type KilnJobState, type UseKilnJobOptions, useKilnJob } from "./use-kiln-job.ts";
export { type KilnJobsFilters, type KilnJobsState, useKilnJobs } from "./use-kiln-jobs.ts";
