/**
 * Bounds that keep rendering one Markdown document (markdown.html, and document.pdf's
 * Markdown) under about a second of CPU. Parsing is linear in the input (markdown-it), but
 * the constant is not small: the heaviest 200,000-character documents (50,000 code spans or
 * headings, tables of thousands of cells) took up to 0.8 s of CPU to parse, sanitize and
 * wrap on a loaded machine; this size leaves a margin (a long book chapter still fits).
 */
export const maxMarkdownChars = 150_000;

/**
 * Raw HTML tags (`<` followed by a letter, `/`, `!` or `?`) one document may hold. The
 * sanitizer's cost grows with the square of unclosed nesting (80,000 unclosed `<span>`
 * took 2 s), so the count of anything that can open a tag is bounded.
 */
export const maxMarkdownHtmlTags = 20_000;

const isTagStart = (code: number): boolean =>
  (code >= 65 && code <= 90) || (code >= 97 && code <= 122) || code === 47 || code === 33 || code === 63;

/** Why `markdown` is too complex to render within the bound, or undefined. One linear pass. */
export const findMarkdownComplexityIssue = (markdown: string): string | undefined => {
  let tags = 0;
  for (let at = markdown.indexOf("<"); at !== -1; at = markdown.indexOf("<", at + 1)) {
    if (isTagStart(markdown.charCodeAt(at + 1))) tags++;
  }
  return tags > maxMarkdownHtmlTags
    ? `the Markdown holds ${tags} HTML tags (or "<" followed by a letter, "/", "!" or "?"); at most ${maxMarkdownHtmlTags} are allowed`
    : undefined;
};
