import { readFileSync } from "node:fs";
import { createRequire } from "node:module";

export const documentThemes = ["light", "dark"] as const;
export type DocumentTheme = (typeof documentThemes)[number];

const palettes: Record<DocumentTheme, string> = {
  light: `--fg:#1f2328;--muted:#59636e;--bg:#ffffff;--subtle:#f6f8fa;--border:#d1d9e0;--link:#0969da;--mark:#fff8c5;color-scheme:light;`,
  dark: `--fg:#e6edf3;--muted:#9198a1;--bg:#0d1117;--subtle:#151b23;--border:#3d444d;--link:#4493f8;--mark:#bb800926;color-scheme:dark;`,
};

const highlightStylesheets: Record<DocumentTheme, string> = {
  light: "highlight.js/styles/github.min.css",
  dark: "highlight.js/styles/github-dark.min.css",
};

const baseCss = `
*,*::before,*::after{box-sizing:border-box}
html{-webkit-text-size-adjust:100%}
body{margin:0;background:var(--bg);color:var(--fg);font:16px/1.6 -apple-system,BlinkMacSystemFont,"Segoe UI","Noto Sans",Helvetica,Arial,sans-serif;overflow-wrap:break-word}
main{max-width:52rem;margin:0 auto;padding:2rem 1.25rem 4rem}
h1,h2,h3,h4,h5,h6{margin:1.5em 0 .5em;line-height:1.25;font-weight:600}
h1{font-size:2em;padding-bottom:.3em;border-bottom:1px solid var(--border)}
h2{font-size:1.5em;padding-bottom:.3em;border-bottom:1px solid var(--border)}
h3{font-size:1.25em}h4{font-size:1em}h5{font-size:.875em}h6{font-size:.85em;color:var(--muted)}
main>:first-child{margin-top:0}
p,ul,ol,dl,table,pre,blockquote,details,figure{margin:0 0 1em}
a{color:var(--link);text-decoration:underline;text-underline-offset:.2em}
img{max-width:100%;height:auto}
hr{height:.25em;margin:1.5em 0;border:0;background:var(--border)}
blockquote{padding:0 1em;color:var(--muted);border-left:.25em solid var(--border)}
ul,ol{padding-left:2em}
li+li{margin-top:.25em}
li:has(>input[type=checkbox]){list-style:none}
li>input[type=checkbox]{margin:0 .4em 0 -1.4em;vertical-align:middle}
code,kbd,samp,pre{font-family:ui-monospace,SFMono-Regular,"SF Mono",Menlo,Consolas,"Liberation Mono",monospace;font-size:.875em}
:not(pre)>code{padding:.2em .4em;border-radius:6px;background:var(--subtle)}
pre{overflow:auto;border-radius:6px;background:var(--subtle);line-height:1.45}
pre code.hljs{display:block;padding:1em;background:var(--subtle);white-space:pre}
kbd{padding:.15em .35em;border:1px solid var(--border);border-radius:6px;background:var(--subtle)}
table{display:block;width:max-content;max-width:100%;overflow:auto;border-collapse:collapse}
th,td{padding:.4em .8em;border:1px solid var(--border)}
th{font-weight:600}
tr:nth-child(2n){background:var(--subtle)}
mark{background:var(--mark);color:inherit}
del{color:var(--muted)}
.page-break{break-after:page}
`;

/** For PDF: no screen gutters, keep blocks whole where possible, show where links point. */
const printCss = `
@media print{
main{max-width:none;padding:0}
body{font-size:11pt}
pre,blockquote,table,figure,img,tr{break-inside:avoid}
h1,h2,h3,h4,h5,h6{break-after:avoid}
pre code.hljs{white-space:pre-wrap}
table{display:table;width:auto}
a[href^="http"]::after{content:" (" attr(href) ")";font-size:.8em;color:var(--muted);overflow-wrap:anywhere}
}
`;

const require = createRequire(import.meta.url);
const highlightCssCache = new Map<DocumentTheme, string>();

/** The highlight.js theme CSS, read once from the installed package (our code, not user input). */
const highlightCss = (theme: DocumentTheme): string => {
  let css = highlightCssCache.get(theme);
  if (css === undefined) {
    css = readFileSync(require.resolve(highlightStylesheets[theme]), "utf8");
    highlightCssCache.set(theme, css);
  }
  return css;
};

/** The whole inline stylesheet of a rendered document. */
export const documentCss = (theme: DocumentTheme, options: { print?: boolean } = {}): string =>
  `:root{${palettes[theme]}}${baseCss}${highlightCss(theme)}${options.print ? printCss : ""}`;
