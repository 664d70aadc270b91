export * from "./artifact-store.ts";
export * from "./local-artifact-store.ts";
