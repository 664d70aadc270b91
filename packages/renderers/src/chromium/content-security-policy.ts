/**
 * Network lockdown, layer (c): the policy every page rendered in Chromium runs under. Only
 * data: images, styles and fonts load; no script, frame, object, media, base URL or form.
 */
export const lockedDownCsp =
  "default-src 'none'; img-src data:; style-src 'unsafe-inline' data:; font-src data:; base-uri 'none'; form-action 'none'";

const escapeAttribute = (text: string): string =>
  text.replace(/&/g, "&amp;").replace(/"/g, "&quot;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

const escapeText = (text: string): string => text.replace(/&/g, "&amp;").replace(/</g, "&lt;");

/** A doctype, possibly after a BOM, whitespace and comments: what must stay in front to avoid quirks mode. */
const leadingDoctype = /^\uFEFF?(?:\s+|<!--[\s\S]*?-->)*<!doctype[^>]*>/i;

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
  const doctype = leadingDoctype.exec(html)?.[0];
  return doctype === undefined ? `${head}${html}` : `${doctype}${head}${html.slice(doctype.length)}`;
};
