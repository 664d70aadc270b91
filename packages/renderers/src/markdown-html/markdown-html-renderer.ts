import { defineRenderer } from "@kiln/core";
import { markdownHtmlInputSchema } from "./schema.ts";

/** Metadata keeps the outline short: it is stored with the artifact and shown in job lists. */
const maxHeadingsInMetadata = 100;

const progressByStage = { parse: 10, sanitize: 60, document: 80 } as const;

/** The `markdown.html` job type: Markdown → sanitized standalone `index.html`. */
export const createMarkdownHtmlRenderer = () =>
  defineRenderer({
    jobType: "markdown.html",
    description:
      "Renders GitHub-flavoured Markdown (with highlighted code) to a sanitized, standalone HTML page: index.html.",
    inputSchema: markdownHtmlInputSchema,
    limits: { timeoutMs: 10_000, memoryMb: 256 },
    async render(input, ctx) {
      ctx.signal.throwIfAborted();
      // Loaded on first render: the Markdown pipeline (highlight.js, markdown-it, sanitize-html) is heavy.
      const { renderMarkdownDocument } = await import("../markdown/index.ts");
      const document = renderMarkdownDocument({
        markdown: input.markdown,
        title: input.title,
        theme: input.theme,
        onStage: (stage) => {
          if (stage !== "document") ctx.reportProgress(progressByStage[stage], stage);
        },
      });
      ctx.signal.throwIfAborted();
      ctx.reportProgress(90, "store");
      const body = new TextEncoder().encode(document.html);
      await ctx.writeArtifact({
        name: "index.html",
        contentType: "text/html; charset=utf-8",
        body,
        metadata: {
          title: document.title,
          bytes: body.byteLength,
          headings: document.headings
            .slice(0, maxHeadingsInMetadata)
            .map((heading) => ({ ...heading, text: heading.text.slice(0, 200) })),
        },
      });
      ctx.reportProgress(100, "store");
    },
  });
