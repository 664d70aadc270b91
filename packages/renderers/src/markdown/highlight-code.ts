import hljs from "highlight.js";

/** Language names we accept in a fence's info string (also used as a CSS class, so kept tame). */
const languagePattern = /^[A-Za-z0-9_+#.-]{1,32}$/;

/** Fences longer than this are not highlighted: highlighting is linear but a 500 kB fence is not worth it. */
const maxHighlightedChars = 200_000;

const escapeHtml = (text: string): string =>
  text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");

/**
 * Renders a fenced code block as `<pre><code class="hljs language-x">` with highlight.js
 * span classes. Only explicitly named languages are highlighted: auto-detection runs every
 * grammar over the block, which is slow on large inputs and guesses wrong on short ones.
 */
export const renderCodeBlock = (code: string, infoString: string | undefined): string => {
  const language = (infoString ?? "").trim().split(/\s+/)[0] ?? "";
  const known = languagePattern.test(language) && hljs.getLanguage(language) !== undefined;
  const body =
    known && code.length <= maxHighlightedChars
      ? hljs.highlight(code, { language, ignoreIllegals: true }).value
      : escapeHtml(code);
  const languageClass = languagePattern.test(language) ? ` language-${language.toLowerCase()}` : "";
  return `<pre><code class="hljs${languageClass}">${body}\n</code></pre>\n`;
};

export { escapeHtml };
