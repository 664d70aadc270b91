/**
 * Network lockdown, layer (c): the policy every page rendered in Chromium runs under. Only
 * data: images, styles and fonts load; no script, frame, object, media, base URL or form.
 */
export const lockedDownCsp =
  "default-src 'none'; img-src data:; style-src 'unsafe-inline' data:; font-src data:; base-uri 'none'; form-action 'none'";

const escapeAttribute = (text: string): string =>
  text.replace(/&/g, "&amp;").replace(/"/g, "&quot;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

const escapeText = (text: string): string => text.replace(/&/g, "&amp;").replace(/</g, "&lt;");

const doctypeOpening = /^<!doctype/i;
const whitespace = /\s/;

/**
 * The doctype, possibly after a BOM, whitespace and comments, that must stay in front to avoid
 * quirks mode; undefined when the document has none. A single forward scan, linear in the
 * input: the regex it replaces, `(?:\s+|<!--…-->)*`, backtracked exponentially on a run of
 * spaces not followed by a doctype (40 spaces took minutes).
 */
const leadingDoctype = (html: string): string | undefined => {
  let at = html.startsWith("\uFEFF") ? 1 : 0;
  for (;;) {
    while (at < html.length && whitespace.test(html.charAt(at))) at++;
    if (!html.startsWith("<!--", at)) break;
    // A comment ends at the first `-->`, as the HTML parser ends it.
    const end = html.indexOf("-->", at + 4);
    if (end === -1) return undefined;
    at = end + 3;
  }
  if (!doctypeOpening.test(html.slice(at, at + 9))) return undefined;
  const close = html.indexOf(">", at);
  return close === -1 ? undefined : html.slice(0, close + 1);
};

/**
 * Puts the CSP `<meta>` (and an optional `<title>`) before anything else in untrusted HTML.
 * The parser moves a leading `<meta>` into the implicit `<head>`, so it takes effect before
 * any element the author wrote can load. Authors cannot loosen it: when a document carries
 * several policies, browsers enforce all of them, so an author's own CSP can only tighten.
 * A `<title>` placed first also wins over the author's, since `document.title` reads the first.
 */
export const injectDocumentHead = (html: string, options: { csp?: string; title?: string } = {}): string => {
  const head =
    `<meta http-equiv="Content-Security-Policy" content="${escapeAttribute(options.csp ?? lockedDownCsp)}">` +
    (options.title === undefined ? "" : `<title>${escapeText(options.title)}</title>`);
  const doctype = leadingDoctype(html);
  return doctype === undefined ? `${head}${html}` : `${doctype}${head}${html.slice(doctype.length)}`;
};
