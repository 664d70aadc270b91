export { createImageCardRenderer } from "./image-card-renderer.ts";
export { sampleInput } from "./sample-input.ts";
export { type ImageCardInput, imageCardInputSchema } from "./schema.ts";
