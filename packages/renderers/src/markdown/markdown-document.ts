import { RenderError } from "@kiln/core";
import type { DocumentTheme } from "./document-theme.ts";
import { renderHtmlDocument } from "./html-document.ts";
import { type MarkdownHeading, MarkdownLimitError, parseMarkdown } from "./parse-markdown.ts";
import { sanitizeMarkdownHtml } from "./sanitize-markdown-html.ts";

export interface MarkdownDocumentOptions {
  markdown: string;
  /** Document title; defaults to the first heading, then "Document". */
  title?: string;
  /** Default "light". */
  theme?: DocumentTheme;
  /** Adds the print stylesheet (for PDF). Default false. */
  print?: boolean;
  contentSecurityPolicy?: string;
  /** Called between stages so renderers can report progress. */
  onStage?: (stage: "parse" | "sanitize" | "document") => void;
}

export interface MarkdownDocument {
  html: string;
  title: string;
  headings: MarkdownHeading[];
}

/**
 * Parses, failing with a non-retryable RenderError on input only pathological Markdown
 * reaches (blocks nested too deeply, tables of too many cells): the same input would fail again.
 */
const parseOrFail = (markdown: string) => {
  try {
    return parseMarkdown(markdown);
  } catch (error) {
    const reason = error instanceof MarkdownLimitError ? error.message : "the Markdown could not be rendered";
    throw new RenderError("markdown_unrenderable", reason, { retryable: false, cause: error });
  }
};

/**
 * The whole pipeline: parse (GFM + highlighting) → sanitize → standalone HTML document.
 * Throws `RenderError("markdown_unrenderable")` for Markdown that cannot be parsed.
 */
export const renderMarkdownDocument = (options: MarkdownDocumentOptions): MarkdownDocument => {
  options.onStage?.("parse");
  const parsed = parseOrFail(options.markdown);
  options.onStage?.("sanitize");
  const body = sanitizeMarkdownHtml(parsed.html);
  options.onStage?.("document");
  const title = options.title?.trim() || parsed.headings[0]?.text || "Document";
  const html = renderHtmlDocument({
    title,
    body,
    theme: options.theme,
    print: options.print,
    contentSecurityPolicy: options.contentSecurityPolicy,
  });
  return { html, title, headings: parsed.headings };
};
