export { createCanaryRenderer } from "./canary-renderer.ts";
export { sampleInput } from "./sample-input.ts";
export { type CanaryInput, canaryInputSchema } from "./schema.ts";
