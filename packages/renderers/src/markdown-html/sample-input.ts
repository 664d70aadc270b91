import type { z } from "zod";
import type { markdownHtmlInputSchema } from "./schema.ts";

/** A representative input, used by the benchmark and as documentation. */
export const sampleInput: z.input<typeof markdownHtmlInputSchema> = {
  title: "Release notes",
  markdown: `# Release notes

Kiln renders **Markdown**, _HTML_ and ~~nothing else~~ charts too. See https://example.com.

| Job type | Engine | Median |
|:--|:--|--:|
| markdown.html | markdown-it + sanitize-html | fast |
| document.pdf | Chromium | slower |

- [x] GitHub-flavoured Markdown
- [x] Highlighted code
- [ ] World peace

\`\`\`ts
export const greet = (name: string): string => \`Hello, \${name}!\`;
\`\`\`

> Quotes, footnote-ish text and \`inline code\` too.
`,
};
