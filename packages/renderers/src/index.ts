export type { ChromiumOptions } from "./chromium/index.ts";
export * from "./registry.ts";
