export * from "./config.ts";
export * from "./dependency-errors.ts";
export * from "./errors.ts";
export * from "./events.ts";
export * from "./http-contract.ts";
export * from "./job.ts";
export * from "./logger.ts";
export * from "./renderer.ts";
