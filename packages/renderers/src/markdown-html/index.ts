export { createMarkdownHtmlRenderer } from "./markdown-html-renderer.ts";
export { sampleInput } from "./sample-input.ts";
export { type MarkdownHtmlInput, markdownHtmlInputSchema, maxMarkdownChars } from "./schema.ts";
