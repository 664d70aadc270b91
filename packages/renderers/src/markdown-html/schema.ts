import { z } from "zod";
import { documentThemes } from "../markdown/index.ts";

/** Large enough for a book chapter, small enough that parsing stays well under a second. */
export const maxMarkdownChars = 500_000;

export const markdownHtmlInputSchema = z
  .object({
    markdown: z
      .string()
      .max(maxMarkdownChars)
      .describe(
        `GitHub-flavoured Markdown (tables, task lists, strikethrough, autolinks, fenced code with a language for highlighting). Raw HTML is kept only within a safe allowlist. At most ${maxMarkdownChars} characters.`,
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
