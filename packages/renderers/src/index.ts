export type { ChromiumOptions } from "./chromium/index.ts";
export * from "./registry.ts";
export { createRenderRunner, type RenderRunner, type RenderRunnerOptions } from "./isolation/render-runner.ts";
