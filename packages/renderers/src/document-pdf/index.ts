export { createDocumentPdfRenderer, type DocumentPdfRendererOptions } from "./document-pdf-renderer.ts";
export { countPdfPages } from "./pdf-page-count.ts";
export { sampleInput } from "./sample-input.ts";
export { type DocumentPdfInput, documentPdfInputSchema, maxHtmlChars, paperFormats } from "./schema.ts";
