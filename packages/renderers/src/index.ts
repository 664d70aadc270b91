export {
  type ChromiumCheck,
  type ChromiumOptions,
  checkChromiumExecutable,
  chromiumMissingMessage,
  resolveChromiumOptions,
} from "./chromium/index.ts";
export {
  createRenderRunner,
  type RenderRunner,
  type RenderRunnerOptions,
} from "./isolation/render-runner.ts";
export * from "./registry.ts";
export { sampleInputs } from "./sample-inputs.ts";
