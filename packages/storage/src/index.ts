export * from "./artifact-store.ts";
export * from "./create-artifact-store.ts";
export * from "./local-artifact-store.ts";
export * from "./storage-errors.ts";
