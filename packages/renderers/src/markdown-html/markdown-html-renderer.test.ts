import { describe, expect, it } from "vitest";
import { z } from "zod";
import { artifactText, createTestRenderContext } from "../testing/index.ts";
import { createMarkdownHtmlRenderer } from "./markdown-html-renderer.ts";
import { maxMarkdownChars } from "./schema.ts";

const renderer = createMarkdownHtmlRenderer();

const render = async (input: unknown) => {
  const { ctx, artifacts, progress } = createTestRenderContext();
  await renderer.render(renderer.inputSchema.parse(input), ctx);
  expect(artifacts).toHaveLength(1);
  const artifact = artifacts[0]!;
  return { artifact, html: artifactText(artifact), progress };
};

/** The document body, so assertions on user content are not fooled by our own <head>. */
const bodyOf = (html: string) => html.slice(html.indexOf("<body>"));

describe("markdown.html", () => {
  it("renders a standalone, self-contained document with metadata and stages", async () => {
    const { artifact, html, progress } = await render({ markdown: "# Hello\n\n## Part *one*\n\ntext" });
    expect(artifact.name).toBe("index.html");
    expect(artifact.contentType).toBe("text/html; charset=utf-8");
    expect(html.startsWith("<!doctype html>")).toBe(true);
    expect(html).toContain('<meta charset="utf-8">');
    expect(html).toContain('<meta name="viewport"');
    expect(html).toContain("<title>Hello</title>");
    // No external resources: no link/script tags, no remote url() in the inline CSS.
    expect(html).not.toMatch(/<link|<script|url\(/i);
    expect(artifact.metadata).toEqual({
      title: "Hello",
      bytes: new TextEncoder().encode(html).byteLength,
      headings: [
        { depth: 1, text: "Hello", id: "hello" },
        { depth: 2, text: "Part one", id: "part-one" },
      ],
    });
    expect(progress.map((p) => p.stage)).toEqual(["parse", "sanitize", "store", "store"]);
    const values = progress.map((p) => p.progress);
    expect([...values].sort((a, b) => a - b)).toEqual(values);
  });

  it("supports GFM tables, task lists, strikethrough, autolinks and highlighted code", async () => {
    const { html } = await render({
      markdown: [
        "| a | b |",
        "|:-:|--:|",
        "| 1 | 2 |",
        "",
        "- [x] done",
        "- [ ] todo",
        "",
        "~~gone~~ www.example.com and https://example.org/x",
        "",
        "```ts",
        "const answer: number = 42;",
        "```",
      ].join("\n"),
    });
    const body = bodyOf(html);
    expect(body).toContain('<th align="center">a</th>');
    expect(body).toContain('<td align="right">2</td>');
    expect(body).toContain('<input type="checkbox" disabled checked />');
    expect(body).toContain('<input type="checkbox" disabled />');
    expect(body).toContain("<del>gone</del>");
    expect(body).toContain('<a href="http://www.example.com"');
    expect(body).toContain('<a href="https://example.org/x"');
    expect(body).toContain('<code class="hljs language-ts"><span class="hljs-keyword">const</span>');
    expect(body).toContain('<span class="hljs-number">42</span>');
    // The highlight.js theme is inlined, not linked.
    expect(html).toMatch(/<style>[^<]*\.hljs-keyword,[^{]*\{color:#d73a49\}/);
  });

  it("offers a dark theme", async () => {
    const light = await render({ markdown: "x" });
    const dark = await render({ markdown: "x", theme: "dark" });
    expect(light.html).toContain("color-scheme:light");
    expect(dark.html).toContain("color-scheme:dark");
    expect(dark.html).toMatch(/\.hljs-keyword,[^{]*\{color:#ff7b72\}/);
  });

  it("escapes the title", async () => {
    const { html, artifact } = await render({ markdown: "x", title: '</title><script>alert(1)</script>"&' });
    expect(html).toContain("<title>&lt;/title&gt;&lt;script&gt;alert(1)&lt;/script&gt;&quot;&amp;</title>");
    expect(artifact.metadata?.title).toBe('</title><script>alert(1)</script>"&');
  });

  it("strips XSS vectors from Markdown and raw HTML", async () => {
    const vectors = [
      "<script>alert('s')</script>",
      "<img src=x onerror=\"alert('e')\">",
      "[md link](javascript:alert('j'))",
      "[md entity link](JaVaScRiPt&colon;alert('k'))",
      "<a href=\"javascript:alert('h')\">raw link</a>",
      "<a href=\" jav&#x09;ascript:alert('t')\">tab link</a>",
      "<a href=\"vbscript:msgbox('v')\">vb</a>",
      '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">data link</a>',
      '<img src="data:text/html;base64,PHNjcmlwdD4=">',
      "<svg onload=\"alert('svg')\"><circle r=1 /></svg>",
      '<iframe src="https://evil.example/"></iframe>',
      '<object data="https://evil.example/x.swf"></object>',
      '<embed src="https://evil.example/x.swf">',
      '<form action="https://evil.example/"><input type="text" name="q"><button>go</button></form>',
      "<style>body{background:url(https://evil.example/css)}</style>",
      '<div style="background:url(https://evil.example/style)" onclick="alert(1)">styled</div>',
      '<a href="//evil.example/protocol-relative">pr</a>',
      "<math><mtext><table><mglyph><style><img src=x onerror=alert('m')></style></mglyph></table></mtext></math>",
      '<p onmouseover="alert(1)">hover</p>',
    ].join("\n\n");
    const body = bodyOf((await render({ markdown: vectors })).html);
    expect(body).not.toMatch(/<(script|style|iframe|object|embed|form|svg|math|button|textarea)\b/i);
    expect(body).not.toMatch(/\son[a-z]+\s*=/i);
    expect(body).not.toMatch(/javascript:|vbscript:|data:text/i);
    expect(body).not.toMatch(/style=/i);
    expect(body).not.toContain("evil.example");
    expect(body).not.toContain('type="text"');
    // Harmless text survives.
    expect(body).toContain("md link");
    expect(body).toContain("styled");
  });

  it("keeps data:image URLs in img src only", async () => {
    const png = "data:image/png;base64,iVBORw0KGgo=";
    const body = bodyOf((await render({ markdown: `![pic](${png}) [link](${png})` })).html);
    expect(body).toContain(`<img alt="pic" src="${png}" />`);
    expect(body).not.toContain(`href="${png}"`);
  });

  it("rejects oversize input, unknown themes and unknown keys with paths", () => {
    const result = renderer.inputSchema.safeParse({
      markdown: "x".repeat(maxMarkdownChars + 1),
      title: "t".repeat(201),
      theme: "neon",
      extra: true,
    });
    expect(result.success).toBe(false);
    const paths = result.error?.issues.map((issue) => issue.path.join(".") || issue.code);
    expect(paths).toEqual(expect.arrayContaining(["markdown", "title", "theme", "unrecognized_keys"]));
    expect(renderer.inputSchema.safeParse({}).error?.issues[0]?.path).toEqual(["markdown"]);
  });

  it("converts to JSON Schema with limits and descriptions", () => {
    const schema = z.toJSONSchema(renderer.inputSchema, { io: "input" });
    expect(schema).toMatchObject({
      type: "object",
      required: ["markdown"],
      properties: {
        markdown: { type: "string", maxLength: maxMarkdownChars },
        title: { maxLength: 200 },
        theme: { enum: ["light", "dark"], default: "light" },
      },
    });
  });

  it("fails without retry on Markdown nested too deeply to render", async () => {
    const { ctx } = createTestRenderContext();
    const input = renderer.inputSchema.parse({ markdown: `${">".repeat(10_000)} deep` });
    await expect(renderer.render(input, ctx)).rejects.toMatchObject({
      code: "markdown_unrenderable",
      retryable: false,
    });
  });
});
