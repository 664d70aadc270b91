export * from "./create-logger.ts";
export * from "./metrics-registry.ts";
