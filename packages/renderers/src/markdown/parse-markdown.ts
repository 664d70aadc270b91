import { Marked, type Tokens } from "marked";
import { renderCodeBlock } from "./highlight-code.ts";

/** A heading found in the document, for a table of contents or artifact metadata. */
export interface MarkdownHeading {
  depth: number;
  text: string;
  /** The anchor id given to the heading (GitHub-style slug, deduplicated). */
  id: string;
}

export interface ParsedMarkdown {
  /** Unsanitized HTML: raw HTML from the Markdown passes through here; run `sanitizeMarkdownHtml` next. */
  html: string;
  headings: MarkdownHeading[];
}

const entities: Record<string, string> = {
  "&amp;": "&",
  "&lt;": "<",
  "&gt;": ">",
  "&quot;": '"',
  "&#39;": "'",
};

/** Plain text of an inline HTML fragment (tags dropped, the entities marked emits decoded). */
const toPlainText = (html: string): string =>
  html
    .replace(/<[^>]*>/g, "")
    .replace(/&(amp|lt|gt|quot|#39);/g, (entity) => entities[entity] ?? entity)
    .trim();

const slugify = (text: string): string =>
  text
    .toLowerCase()
    .replace(/[^\p{Letter}\p{Number}\s_-]/gu, "")
    .trim()
    .replace(/\s+/g, "-")
    .slice(0, 80) || "section";

/**
 * Markdown → HTML with GitHub-flavoured extensions (tables, task lists, strikethrough,
 * autolinks), highlighted code fences and slug ids on headings. A fresh `Marked` per call
 * keeps the heading collector free of shared state between concurrent jobs.
 */
export const parseMarkdown = (markdown: string): ParsedMarkdown => {
  const headings: MarkdownHeading[] = [];
  const seenSlugs = new Map<string, number>();
  const marked = new Marked({
    gfm: true,
    async: false,
    renderer: {
      code: ({ text, lang }: Tokens.Code) => renderCodeBlock(text, lang),
      heading({ tokens, depth }: Tokens.Heading) {
        const inner = this.parser.parseInline(tokens);
        const text = toPlainText(inner);
        const base = slugify(text);
        const seen = seenSlugs.get(base) ?? 0;
        seenSlugs.set(base, seen + 1);
        const id = seen === 0 ? base : `${base}-${seen}`;
        headings.push({ depth, text, id });
        return `<h${depth} id="${id}">${inner}</h${depth}>\n`;
      },
    },
  });
  const html = marked.parse(markdown, { async: false });
  return { html, headings };
};
