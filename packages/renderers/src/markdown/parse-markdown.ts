import markdownIt, { type MarkdownIt, type RendererRule, type Token } from "markdown-it";
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

/** Block nesting (blockquotes, list items) a document may reach; deeper fails the parse. */
export const maxMarkdownNesting = 100;

/**
 * Inline nesting (links and images inside link labels) markdown-it follows before it reads
 * the rest as text. Its work on unclosed `![` runs grows with this, so it stays small: at
 * 200, `![` × 100,000 took 1.3 s of CPU; at 20, 0.2 s.
 */
const maxInlineNesting = 20;

/**
 * Table cells a document may hold, as many as the HTML tags it may carry (markdown-limits.ts).
 * Cells cost tokens, inline parses and sanitizer work each (~17 µs of CPU here): 25,000 rows of two
 * cells took 0.7–0.9 s of CPU warm, 2,000 columns × 36 rows over a second. Refused as soon as the
 * blocks are parsed, either costs a fifth of that.
 */
export const maxMarkdownTableCells = 20_000;

/** Thrown by parseMarkdown for a document past a structural limit: nesting, table cells. */
export class MarkdownLimitError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "MarkdownLimitError";
  }
}

const nestingError = () =>
  new MarkdownLimitError(`the Markdown is nested more than ${maxMarkdownNesting} levels deep`);

const slugify = (text: string): string =>
  text
    .toLowerCase()
    .replace(/[^\p{Letter}\p{Number}\s_-]/gu, "")
    .trim()
    .replace(/\s+/g, "-")
    .slice(0, 80) || "section";

/** One document's headings and their deduplicated slugs; the parser itself is shared. */
class HeadingCollector {
  readonly headings: MarkdownHeading[] = [];
  readonly #seenSlugs = new Map<string, number>();

  /** Records a heading; returns its id. */
  add(depth: number, text: string): string {
    const base = slugify(text);
    const seen = this.#seenSlugs.get(base) ?? 0;
    this.#seenSlugs.set(base, seen + 1);
    const id = seen === 0 ? base : `${base}-${seen}`;
    this.headings.push({ depth, text, id });
    return id;
  }
}

/** Where a document's collector travels through markdown-it: its per-render `env`. */
const collectorKey = Symbol("kiln.headings");

/** The text of a heading's inline tokens, as a reader sees it (markup dropped, entities decoded). */
const plainText = (tokens: Token[] | null): string => {
  let text = "";
  for (const token of tokens ?? []) {
    if (token.type === "text" || token.type === "code_inline") text += token.content;
    else if (token.type === "softbreak" || token.type === "hardbreak") text += " ";
  }
  return text.trim();
};

const taskMarker = /^\[([ xX])\](?=\s|$)/;

/** A character every autolink contains (see createParser). */
const mayHoldLink = /[:/.@]/;

/** GFM task lists: a list item's paragraph starting with `[ ]` or `[x]` gets a checkbox. */
const addTaskCheckboxes = (tokens: Token[], TokenClass: typeof Token): void => {
  for (let index = 2; index < tokens.length; index++) {
    const inline = tokens[index]!;
    if (inline.type !== "inline" || tokens[index - 1]?.type !== "paragraph_open") continue;
    if (tokens[index - 2]?.type !== "list_item_open") continue;
    const first = inline.children?.[0];
    const marker = first?.type === "text" ? taskMarker.exec(first.content) : null;
    if (!first || !marker) continue;
    first.content = first.content.slice(marker[0].length);
    const checkbox = new TokenClass("html_inline", "", 0);
    checkbox.content = `<input type="checkbox" disabled${marker[1] === " " ? "" : " checked"}>`;
    inline.children?.unshift(checkbox);
  }
};

/** Without a trailing newline: renderCodeBlock adds its own, as it did for marked's tokens. */
const codeText = (content: string): string => (content.endsWith("\n") ? content.slice(0, -1) : content);

/**
 * markdown-it: CommonMark with linear-time parsing, tested against pathological inputs by its
 * authors (marked's emphasis parsing took 30 s on 200k characters). GFM tables,
 * strikethrough and autolinks are built in; task lists are added above. Raw HTML passes
 * through to the sanitizer, and so do all link URLs: the sanitizer is the one place that
 * decides which schemes survive.
 */
const createParser = (): MarkdownIt => {
  const md = markdownIt("default", { html: true, linkify: true, typographer: false });
  // One option bounds both phases; each phase sets its own (rendering is synchronous). For
  // blocks, markdown-it would silently drop what lies deeper: the guard below fails first.
  md.core.ruler.before("block", "block_nesting", (state) => {
    state.md.options.maxNesting = maxMarkdownNesting + 1;
  });
  md.core.ruler.before("inline", "inline_nesting", (state) => {
    state.md.options.maxNesting = maxInlineNesting;
  });
  // www.example.com becomes a link, as in GFM; bare domains (example.com) do too, which GFM does not.
  md.linkify.set({ fuzzyLink: true });
  // Every link linkify finds has a scheme (`:`, or `//`), a dot (a bare domain) or an `@` (an
  // email): text with none of them is skipped before linkify's patterns run over it, which were
  // half the CPU of a paragraph of 75,000 code spans.
  const linkifyTest = md.linkify.test.bind(md.linkify);
  md.linkify.test = (text: string) => mayHoldLink.test(text) && linkifyTest(text);
  md.validateLink = () => true;
  md.block.ruler.before("table", "nesting_guard", (state) => {
    if (state.level >= maxMarkdownNesting) throw nestingError();
    return false;
  });
  // Before any cell's inline content is parsed.
  md.core.ruler.after("block", "table_cell_limit", (state) => {
    let cells = 0;
    for (const token of state.tokens) {
      if (token.type === "td_open" || token.type === "th_open") cells++;
    }
    if (cells > maxMarkdownTableCells) {
      throw new MarkdownLimitError(
        `the Markdown's tables hold ${cells} cells; at most ${maxMarkdownTableCells} are allowed`,
      );
    }
  });
  md.core.ruler.after("inline", "task_lists", (state) => addTaskCheckboxes(state.tokens, state.Token));
  const rules = md.renderer.rules;
  rules.fence = (tokens, index) => renderCodeBlock(codeText(tokens[index]!.content), tokens[index]!.info);
  rules.code_block = (tokens, index) => renderCodeBlock(codeText(tokens[index]!.content), undefined);
  rules.s_open = () => "<del>";
  rules.s_close = () => "</del>";
  // Alignment as the `align` attribute, as GFM renders it: the sanitizer drops `style`.
  const alignedCell: RendererRule = (tokens, index) => {
    const cell = tokens[index]!;
    const align = String(cell.attrGet("style") ?? "").replace("text-align:", "");
    return `<${cell.tag}${align ? ` align="${align}"` : ""}>`;
  };
  rules.th_open = alignedCell;
  rules.td_open = alignedCell;
  rules.heading_open = (tokens, index, _options, env) => {
    const collector = env?.[collectorKey];
    if (!(collector instanceof HeadingCollector))
      throw new Error("parseMarkdown renders with a heading collector");
    const heading = tokens[index]!;
    const id = collector.add(Number(heading.tag.slice(1)), plainText(tokens[index + 1]?.children ?? null));
    return `<${heading.tag} id="${id}">`;
  };
  return md;
};

let parser: MarkdownIt | undefined;

/**
 * Markdown → HTML with GitHub-flavoured extensions (tables, task lists, strikethrough,
 * autolinks), highlighted code fences and slug ids on headings. One parser serves every
 * call; each document's headings live in its own `env`.
 * Throws {@link MarkdownLimitError} for blocks nested deeper than {@link maxMarkdownNesting} or
 * tables of more than {@link maxMarkdownTableCells} cells.
 */
export const parseMarkdown = (markdown: string): ParsedMarkdown => {
  parser ??= createParser();
  const collector = new HeadingCollector();
  const html = parser.render(markdown, { [collectorKey]: collector });
  return { html, headings: collector.headings };
};
