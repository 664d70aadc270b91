export { type DocumentTheme, documentCss, documentThemes } from "./document-theme.ts";
export { escapeHtml } from "./highlight-code.ts";
export { defaultDocumentCsp, type HtmlDocumentOptions, renderHtmlDocument } from "./html-document.ts";
export {
  type MarkdownDocument,
  type MarkdownDocumentOptions,
  renderMarkdownDocument,
} from "./markdown-document.ts";
export { type MarkdownHeading, type ParsedMarkdown, parseMarkdown } from "./parse-markdown.ts";
export { sanitizeMarkdownHtml } from "./sanitize-markdown-html.ts";
