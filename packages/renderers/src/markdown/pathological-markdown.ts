import { beforeAll, describe, expect, it } from "vitest";

// Shared by pathological-inline.test.ts and pathological-blocks.test.ts: the corpus runs as two
// files so its CPU-time bounds use both cores while they run last and alone (vitest.config.ts).
import { createMarkdownHtmlRenderer } from "../markdown-html/markdown-html-renderer.ts";
import { cpuBoundForThisMachine, cpuMsOf, createTestRenderContext } from "../testing/index.ts";
import { maxMarkdownChars, maxMarkdownHtmlTags } from "./markdown-limits.ts";
import { maxMarkdownNesting, maxMarkdownTableCells } from "./parse-markdown.ts";

const renderer = createMarkdownHtmlRenderer();

/** `unit` repeated to fill what is left of the size limit after `prefix`. */
const fill = (unit: string, prefix = ""): string =>
  prefix + unit.repeat(Math.floor((maxMarkdownChars - prefix.length) / unit.length));
const lines = (count: number, line: (index: number) => string): string =>
  Array.from({ length: count }, (_, index) => line(index)).join("\n");

/**
 * Inputs that are slow for some Markdown parsers (marked took 30 s on `_a` × 100,000), each as
 * large as the schema allows: every one must render, or be refused, within a second of CPU.
 */
const inlineCorpus: Record<string, string> = {
  "emphasis runs _a (the reported 30 s case)": fill("_a"),
  "emphasis runs *a": fill("*a"),
  "strong runs **a": fill("**a"),
  "strikethrough runs ~~a": fill("~~a"),
  "mixed delimiters *_": fill("*_"),
  "interleaved emphasis *a **b": fill("*a **b "),
  "open brackets [": fill("["),
  "close brackets ]": fill("]"),
  "image openers ![": fill("!["),
  "unclosed links [a](": fill("[a]("),
  "unclosed link destination parens": fill("(", "[a]("),
  "unclosed link title": fill('\\"', '[a](b "'),
  "angle brackets <": fill("<"),
  "backticks `": fill("`"),
  "code span openers `a": fill("`a"),
  "uneven code spans ``a`": fill("``a`"),
  backslashes: fill("\\"),
  "entity starts &#": fill("&#"),
  "fuzzy links a.com": fill("a.com "),
  "protocols http://": fill("http://"),
  "email-ish a@b.": fill("a@b."),
  "link reference definitions and uses": `${lines(5_000, (i) => `[r${i}]: /u${i}`)}\n${lines(5_000, (i) => `[x][r${i}]`)}`,
  "chained reference definitions": fill("[a]: b\n"),
};

const blockCorpus: Record<string, string> = {
  "list markers on one line - ": fill("- "),
  "list items": fill("- a\n"),
  "task list items": fill("- [x] a\n"),
  "lists nested to the limit": lines(maxMarkdownNesting / 2 - 1, (depth) => `${"  ".repeat(depth)}- a`),
  "blockquote lines": fill("> a\n"),
  "a table with 10,000 columns": `|${"a|".repeat(10_000)}\n|${"-|".repeat(10_000)}\n|${"b|".repeat(10_000)}`,
  "a table with 2,000 columns, at the cell limit": `|${"a|".repeat(2_000)}\n|${"-|".repeat(2_000)}\n${`|${"b|".repeat(2_000)}\n`.repeat(maxMarkdownTableCells / 2_000 - 1)}`,
  "a table with many rows, at the cell limit": `|a|b|\n|-|-|\n${"|1|2|\n".repeat(maxMarkdownTableCells / 2 - 1)}`,
  headings: fill("# a\n"),
  "setext headings": fill("a\n=\n"),
  fences: fill("```\n"),
  "highlighted code": fill("var a = 1;\n", "```js\n"),
  "unclosed HTML blocks, at the tag limit": `${"<div>\n".repeat(maxMarkdownHtmlTags)}`,
  "unclosed inline tags, at the tag limit": `a ${"<span>".repeat(maxMarkdownHtmlTags)}`,
  "HTML comments, at the tag limit": "<!--".repeat(maxMarkdownHtmlTags),
};

/** Past a limit: refused by the input schema (a 400 at submit) or by the renderer. */
const refused: Record<string, string> = {
  "unclosed inline tags past the tag limit": fill("<b>"),
  "blockquotes nested past the limit": `${">".repeat(maxMarkdownNesting + 1)} deep`,
  "lists nested past the limit": lines(maxMarkdownNesting, (depth) => `${"  ".repeat(depth)}- a`),
  "a table with many rows, past the cell limit": fill("|1|2|\n", "|a|b|\n|-|-|\n"),
  "a table with 2,000 columns and many rows, past the cell limit": fill(
    `|${"b|".repeat(2_000)}\n`,
    `|${"a|".repeat(2_000)}\n|${"-|".repeat(2_000)}\n`,
  ),
};

/** Validates as the API does, then renders: the whole cost of a markdown.html job. */
const submitAndRender = (markdown: string) =>
  cpuMsOf(async () => {
    const input = renderer.inputSchema.safeParse({ markdown });
    if (!input.success)
      return { refusedAt: "submit", paths: input.error.issues.map((issue) => issue.path.join(".")) };
    const { ctx, artifacts } = createTestRenderContext();
    await renderer.render(input.data, ctx);
    return artifacts;
  });

let cpuBoundMs = 1_000;

/** Runs half the corpus: inline constructs, or block constructs and the refusals. */
export const describePathologicalMarkdown = (part: "inline" | "blocks") =>
  describe(`pathological Markdown: ${part}`, () => {
    const corpus = part === "inline" ? inlineCorpus : blockCorpus;
    beforeAll(async () => {
      // The pipeline loads on the first render, and V8 compiles a parser path the first times it
      // runs: a tenth of each case first, so the bounds measure rendering as a busy worker does
      // it, not the compiler (cold, "list items" took 1.3 s of CPU; warm, 0.6 s).
      await submitAndRender("# warm *up* `code` www.example.com");
      for (const markdown of Object.values(corpus))
        await submitAndRender(markdown.slice(0, markdown.length / 10));
      cpuBoundMs = await cpuBoundForThisMachine();
      console.info(`pathological Markdown (${part}): CPU bound ${Math.round(cpuBoundMs)} ms`);
    });

    for (const [name, markdown] of Object.entries(corpus)) {
      it(`renders within a second of CPU (or six ordinary documents' worth): ${name}`, async () => {
        expect(markdown.length).toBeLessThanOrEqual(maxMarkdownChars);
        const { ctx, artifacts } = createTestRenderContext();
        const { outcome, cpuMs } = await cpuMsOf(() =>
          renderer.render(renderer.inputSchema.parse({ markdown }), ctx),
        );
        if (outcome) throw outcome;
        expect(artifacts).toHaveLength(1);
        expect(cpuMs).toBeLessThan(cpuBoundMs);
      });
    }

    if (part === "inline") return;

    it("refuses too many HTML tags at submit, naming the field", async () => {
      const { outcome, cpuMs } = await submitAndRender(refused["unclosed inline tags past the tag limit"]!);
      expect(outcome).toBeUndefined();
      const result = renderer.inputSchema.safeParse({
        markdown: refused["unclosed inline tags past the tag limit"],
      });
      expect(result.error?.issues).toEqual([
        expect.objectContaining({
          path: ["markdown"],
          message: expect.stringMatching(/at most 20000 are allowed/),
        }),
      ]);
      expect(cpuMs).toBeLessThan(cpuBoundMs);
    });

    it("fails nesting past the limit at once, without retry", async () => {
      for (const name of ["blockquotes nested past the limit", "lists nested past the limit"]) {
        const input = renderer.inputSchema.parse({ markdown: refused[name] });
        const { outcome, cpuMs } = await cpuMsOf(() => renderer.render(input, createTestRenderContext().ctx));
        expect(outcome).toMatchObject({
          code: "markdown_unrenderable",
          retryable: false,
          message: `the Markdown is nested more than ${maxMarkdownNesting} levels deep`,
        });
        expect(cpuMs).toBeLessThan(cpuBoundMs);
      }
    });

    it("fails tables past the cell limit as soon as the blocks are parsed, without retry", async () => {
      for (const [name, cells] of [
        ["a table with many rows, past the cell limit", 49998],
        ["a table with 2,000 columns and many rows, past the cell limit", 72000],
      ] as const) {
        const input = renderer.inputSchema.parse({ markdown: refused[name] });
        const { outcome, cpuMs } = await cpuMsOf(() => renderer.render(input, createTestRenderContext().ctx));
        expect(outcome, name).toMatchObject({
          code: "markdown_unrenderable",
          retryable: false,
          message: `the Markdown's tables hold ${cells} cells; at most ${maxMarkdownTableCells} are allowed`,
        });
        // Rendered, they took 0.7 s and over a second; refused before any cell's inline parse, 0.1–0.5 s.
        expect(cpuMs, name).toBeLessThan(cpuBoundMs);
      }
    });
  });
