import sanitizeHtml from "sanitize-html";

/** Only raster/vector images may be inlined as data: URLs; data:text/html and friends are dropped. */
const dataImagePattern = /^data:image\/(png|jpe?g|gif|webp|avif|bmp|svg\+xml)[;,]/i;

/**
 * The allowlist for Markdown output and the raw HTML authors may embed in it. Everything
 * outside it is dropped: script/style/iframe/object/embed/form never appear, no `on*`
 * attribute or `style` (CSS can fetch URLs) survives, and links keep only web/mail schemes.
 */
const options: sanitizeHtml.IOptions = {
  allowedTags: [
    ...["h1", "h2", "h3", "h4", "h5", "h6", "p", "br", "hr", "blockquote", "pre", "code", "div", "span"],
    ...["a", "img", "ul", "ol", "li", "dl", "dt", "dd", "input"],
    ...["table", "thead", "tbody", "tfoot", "tr", "th", "td", "caption", "colgroup", "col"],
    ...["em", "strong", "b", "i", "u", "s", "del", "ins", "mark", "small", "sub", "sup", "kbd", "samp"],
    ...["abbr", "cite", "q", "dfn", "var", "time", "details", "summary", "figure", "figcaption"],
  ],
  allowedAttributes: {
    a: ["href", "title", "id", "name", "rel"],
    img: ["src", "alt", "title", "width", "height"],
    input: ["type", "checked", "disabled"],
    "*": ["id", "align", "colspan", "rowspan", "lang", "dir"],
    ol: ["start", "reversed"],
    abbr: ["title"],
    time: ["datetime"],
    details: ["open"],
  },
  allowedClasses: {
    code: ["hljs", "language-*"],
    span: ["hljs-*", "language_", "class_", "function_", "inherited__"],
    div: ["page-break"],
  },
  allowedSchemes: ["http", "https", "mailto"],
  allowedSchemesByTag: { img: ["http", "https", "data"] },
  allowedSchemesAppliedToAttributes: ["href", "src", "cite"],
  // Protocol-relative URLs (`//host/x`) would resolve against whatever scheme views the file.
  allowProtocolRelative: false,
  disallowedTagsMode: "discard",
  exclusiveFilter: (frame) => frame.tag === "input" && frame.attribs.type !== "checkbox",
  transformTags: {
    // Task-list boxes are the only inputs we keep (others go in exclusiveFilter), always read-only.
    input: (tagName, attribs) => ({
      tagName,
      attribs: {
        type: attribs.type?.toLowerCase() ?? "text",
        disabled: "",
        ...("checked" in attribs ? { checked: "" } : {}),
      },
    }),
    a: (tagName, attribs) => ({ tagName, attribs: { ...attribs, rel: "noopener noreferrer nofollow" } }),
    img: (tagName, attribs) => {
      const { src, ...rest } = attribs;
      const keepSrc = src !== undefined && (!/^\s*data:/i.test(src) || dataImagePattern.test(src.trim()));
      return { tagName, attribs: keepSrc ? { ...rest, src } : rest };
    },
  },
};

/** Sanitizes HTML produced from untrusted Markdown against Kiln's allowlist. */
export const sanitizeMarkdownHtml = (html: string): string => sanitizeHtml(html, options);
