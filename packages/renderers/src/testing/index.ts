export * from "./cpu-bound.ts";
export * from "./poppler.ts";
export * from "./render-to-end.ts";
export * from "./test-render-context.ts";
