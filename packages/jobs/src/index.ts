export * from "./engine/create-job-engine.ts";
export * from "./engine/job-engine.ts";
export * from "./engine/queue-backoff.ts";
export * from "./lifecycle/attempt-budget.ts";
export * from "./lifecycle/transitions.ts";
export * from "./store/job-rows.ts";
