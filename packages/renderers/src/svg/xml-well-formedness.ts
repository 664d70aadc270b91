/**
 * A small well-formedness check for machine-written SVG (satori's, vega's): every tag is
 * closed in order, attributes are quoted, text holds no raw `<` or bare `&`. Returns the
 * first problem, or undefined. Not a full XML parser: no DTDs, and comments, CDATA and
 * processing instructions are skipped rather than validated.
 */
export const findXmlError = (xml: string): string | undefined => {
  const open: string[] = [];
  const tag = /<(\/?)([A-Za-z][\w:.-]*)((?:\s+[\w:.-]+\s*=\s*(?:"[^"<]*"|'[^'<]*'))*)\s*(\/?)>/y;
  let index = 0;
  let sawRoot = false;
  while (index < xml.length) {
    const next = xml.indexOf("<", index);
    const text = xml.slice(index, next === -1 ? xml.length : next);
    if (/&(?![a-zA-Z]+;|#\d+;|#x[\da-fA-F]+;)/.test(text)) return `bare "&" in text near offset ${index}`;
    if (next === -1) break;
    if (open.length === 0 && sawRoot) return `content after the root element at offset ${next}`;
    const skip = [
      ["<!--", "-->"],
      ["<![CDATA[", "]]>"],
      ["<?", "?>"],
    ].find(([start]) => xml.startsWith(start!, next));
    if (skip) {
      const end = xml.indexOf(skip[1]!, next);
      if (end === -1) return `unterminated ${skip[0]} at offset ${next}`;
      index = end + skip[1]!.length;
      continue;
    }
    tag.lastIndex = next;
    const match = tag.exec(xml);
    if (!match) return `malformed tag at offset ${next}: ${xml.slice(next, next + 60)}`;
    const [whole, closing, name, , selfClosing] = match;
    if (closing) {
      const expected = open.pop();
      if (expected !== name) return `</${name}> closes <${expected ?? "nothing"}> at offset ${next}`;
    } else if (!selfClosing) {
      open.push(name!);
    }
    sawRoot = true;
    index = next + whole.length;
  }
  if (!sawRoot) return "no root element";
  return open.length > 0 ? `unclosed <${open.at(-1)}>` : undefined;
};
