import { z } from "zod";
// Not the markdown index: that would load the whole pipeline (markdown-it, highlight.js) wherever
// the schema is read, the API included.
import { documentThemes } from "../markdown/document-theme.ts";
import {
  findMarkdownComplexityIssue,
  maxMarkdownChars,
  maxMarkdownHtmlTags,
} from "../markdown/markdown-limits.ts";

export { maxMarkdownChars };

/** Markdown source as every job type takes it: bounded in size and in raw HTML tags. */
export const markdownSourceSchema = z
  .string()
  .max(maxMarkdownChars)
  .superRefine((markdown, ctx) => {
    const issue = findMarkdownComplexityIssue(markdown);
    if (issue !== undefined) ctx.addIssue({ code: "custom", message: issue, input: markdown });
  });

const markdownLimits = `At most ${maxMarkdownChars} characters and ${maxMarkdownHtmlTags} HTML tags.`;

export const markdownHtmlInputSchema = z
  .object({
    markdown: markdownSourceSchema.describe(
      `GitHub-flavoured Markdown (tables, task lists, strikethrough, autolinks, fenced code with a language for highlighting). Raw HTML is kept only within a safe allowlist. ${markdownLimits}`,
    ),
    title: z
      .string()
      .max(200)
      .optional()
      .describe("Document title (the HTML <title>); defaults to the first heading. At most 200 characters."),
    theme: z.enum(documentThemes).default("light").describe('Colour theme: "light" (default) or "dark".'),
  })
  .strict()
  .describe("Markdown to render as a sanitized, standalone HTML page.");

export type MarkdownHtmlInput = z.output<typeof markdownHtmlInputSchema>;
