import { type DocumentTheme, documentCss } from "./document-theme.ts";
import { escapeHtml } from "./highlight-code.ts";

export interface HtmlDocumentOptions {
  title: string;
  /** Sanitized body HTML. */
  body: string;
  /** Default "light". */
  theme?: DocumentTheme;
  /** Adds the print stylesheet (for PDF). Default false. */
  print?: boolean;
  /**
   * Content-Security-Policy delivered in `<head>` before anything that could load. The default lets
   * the sanitized document show remote images but never run script, load styles, fonts or
   * frames from elsewhere: a second line of defence should the sanitizer ever miss something.
   */
  contentSecurityPolicy?: string;
}

export const defaultDocumentCsp =
  "default-src 'none'; img-src http: https: data:; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'";

/** Wraps sanitized HTML into a standalone document: inline CSS, no external resources. */
export const renderHtmlDocument = (options: HtmlDocumentOptions): string => {
  const csp = escapeHtml(options.contentSecurityPolicy ?? defaultDocumentCsp);
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>${escapeHtml(options.title)}</title>
<style>${documentCss(options.theme ?? "light", { print: options.print ?? false })}</style>
</head>
<body>
<main>
${options.body}</main>
</body>
</html>
`;
};
