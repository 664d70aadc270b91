import { startTrapServer, type TrapServer } from "@kiln/testkit";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { BrowserPool, findChromiumProcesses } from "../chromium/index.ts";
import { artifactBytes, createTestRenderContext, pdfText, renderToEnd } from "../testing/index.ts";
import { createDocumentPdfRenderer } from "./document-pdf-renderer.ts";

// A 1×1 GIF: data: URLs are the one thing a page may load.
const pixel = "data:image/gif;base64,R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7";

let trap: TrapServer;
const pool = new BrowserPool({ concurrency: 2 });
const renderer = createDocumentPdfRenderer({ pool });

beforeAll(async () => {
  trap = await startTrapServer();
});

beforeEach(() => trap.reset());

afterAll(async () => {
  await pool.close();
  await trap.close();
  expect(await findChromiumProcesses(`${pool.poolId}/`)).toEqual([]);
});

/**
 * Renders, then asserts that nothing reached the trap — before looking at the render's own
 * outcome, so a leak is reported as a leak even when it also broke the render.
 */
const renderWithoutLeaks = async (input: unknown) => {
  const { ctx, artifacts } = createTestRenderContext();
  const failure = await renderToEnd(renderer, renderer.inputSchema.parse(input), ctx).catch(
    (error: unknown) => error,
  );
  // Gives anything that slipped out (prefetches, redirects) time to reach the trap.
  await new Promise((resolve) => setTimeout(resolve, 300));
  expect(trap.requests).toEqual([]);
  expect(trap.connections).toBe(0);
  if (failure) throw failure;
  const artifact = artifacts[0]!;
  return { pdf: artifactBytes(artifact), blockedRequests: artifact.metadata?.blockedRequests as string[] };
};

/** Every way we know for a document to make the browser fetch something. */
const attackDocument = (t: string, port: number) => `<!doctype html>
<html><head>
<meta http-equiv="Content-Security-Policy" content="default-src * 'unsafe-inline' data: blob: file:; img-src *">
<base href="${t}/base/">
<link rel="stylesheet" href="${t}/link.css">
<link rel="stylesheet" href="file:///etc/passwd">
<link rel="preconnect" href="${t}/">
<link rel="dns-prefetch" href="http://trap.localtest.me:${port}/">
<link rel="prefetch" href="${t}/prefetch">
<link rel="preload" as="image" href="${t}/preload.png">
<link rel="icon" href="${t}/favicon.ico">
<style>
@import url("${t}/import.css");
@font-face { font-family: trap; src: url("${t}/font.woff2"); }
body { font-family: trap, sans-serif; background: url("${t}/background.png"); }
ul { list-style-image: url("${t}/list-style.png"); }
p { cursor: url("${t}/cursor.png"), auto; border-image: url("${t}/border.png") 30 round; }
h1 { mask-image: url("${t}/mask.png"); background-image: image-set("${t}/image-set.png" 1x); }
h1::before { content: url("${t}/content.png"); }
</style>
<link rel="stylesheet" href="data:text/css,@import url(%22${t}/data-css-import.css%22);">
<link rel="manifest" href="${t}/manifest.json">
<link rel="modulepreload" href="${t}/module.js">
<meta http-equiv="refresh" content="0;url=${t}/refresh">
<script src="${t}/script.js"></script>
</head><body>
<h1>Heading</h1><ul><li>item</li></ul>
<p>Original content</p>
<img src="${t}/img.png"><img src="relative.png"><img srcset="${t}/srcset.png 1x, ${t}/srcset-2x.png 2x">
<picture><source srcset="${t}/picture.png"><img src="${pixel}"></picture>
<img src="${t}/redirect/3">
<img src="HTTP://127.0.0.1:${port}/upper-case">
<img src="http://[::ffff:127.0.0.1]:${port}/ipv6-mapped">
<img src="http://0x7f000001:${port}/hex">
<img src="http://2130706433:${port}/decimal">
<img src="http://localhost:${port}/localhost">
<img src="http://127.1:${port}/short">
<img src="http://trap.localtest.me:${port}/dns">
<iframe src="${t}/iframe"></iframe>
<iframe srcdoc="<img src='${t}/srcdoc.png'>"></iframe>
<video src="${t}/video.mp4" poster="${t}/poster.png"></video>
<audio src="${t}/audio.mp3"></audio>
<video><source src="${t}/source.mp4"></video>
<object data="${t}/object"></object>
<embed src="${t}/embed">
<svg width="10" height="10"><image href="${t}/svg-image.png" width="10" height="10"/></svg>
<svg width="10" height="10"><use href="${t}/sprite.svg#icon"/><filter id="f"><feImage href="${t}/fe-image.png"/></filter></svg>
<video><track src="${t}/track.vtt"></video>
<input type="image" src="${t}/input-image.png">
<table background="${t}/table-background.png"><tr><td>cell</td></tr></table>
<img src="file:///etc/passwd">
<iframe src="file:///etc/passwd"></iframe>
<form action="${t}/form"><button>go</button></form>
<a href="${t}/link" ping="${t}/ping">a link</a>
<script>document.body.innerHTML = 'PWNED'</script>
</body></html>`;

describe("document.pdf network lockdown", () => {
  it("lets no request reach the network, and lists what it blocked", async () => {
    const { pdf, blockedRequests } = await renderWithoutLeaks({
      html: attackDocument(trap.origin, trap.port),
      headerTemplate: `<img src="${trap.origin}/header.png"><span class="pageNumber"></span>`,
      footerTemplate: `<img src="file:///etc/passwd"><div style="background:url(${trap.origin}/footer.png)">f</div>`,
    });
    const text = await pdfText(pdf);
    expect(text).toContain("Original content");
    expect(text).not.toContain("PWNED");
    expect(text).not.toContain("trapped");

    const t = trap.origin;
    for (const url of [
      `${t}/link.css`,
      `${t}/prefetch`,
      `${t}/import.css`,
      `${t}/font.woff2`,
      `${t}/background.png`,
      `${t}/refresh`,
      `${t}/img.png`,
      `${t}/srcset.png`,
      `${t}/redirect/3`,
      `${t}/upper-case`,
      `http://[::ffff:7f00:1]:${trap.port}/ipv6-mapped`,
      `${t}/hex`,
      `${t}/decimal`,
      `http://localhost:${trap.port}/localhost`,
      `${t}/short`,
      `http://trap.localtest.me:${trap.port}/dns`,
      `${t}/video.mp4`,
      `${t}/poster.png`,
      `${t}/audio.mp3`,
      `${t}/embed`,
      `${t}/object`,
      `${t}/svg-image.png`,
      `${t}/table-background.png`,
      "file:///etc/passwd",
    ]) {
      expect(blockedRequests, url).toContain(url);
    }
    expect(blockedRequests.length).toBeLessThanOrEqual(100);

    // The next job gets a fresh context: nothing of this one's log carries over.
    const next = await renderWithoutLeaks({ html: "<p>clean</p>" });
    expect(next.blockedRequests).toEqual([]);
  });

  it("blocks remote images in Markdown and reports them", async () => {
    const { pdf, blockedRequests } = await renderWithoutLeaks({
      markdown: `# Images\n\n![remote](${trap.origin}/markdown.png)\n\n![inline](${pixel})\n\n<img src="${trap.origin}/raw.png">`,
    });
    expect(blockedRequests).toEqual(
      expect.arrayContaining([`${trap.origin}/markdown.png`, `${trap.origin}/raw.png`]),
    );
    expect(await pdfText(pdf)).toContain("Images");
  });

  it("runs no JavaScript: scripts, handlers and javascript: URLs leave the output unchanged", async () => {
    const { pdf } = await renderWithoutLeaks({
      html: `<!doctype html><html><body onload="document.body.innerHTML='PWNED onload'">
<p>Untouched text</p>
<script>document.body.innerHTML = 'PWNED'</script>
<script>document.write('PWNED write')</script>
<img src="${pixel}" onload="document.body.innerHTML='PWNED img'">
<img src="x:" onerror="document.body.innerHTML='PWNED error'">
<svg onload="document.body.innerHTML='PWNED svg'"></svg>
<iframe src="javascript:parent.document.body.innerHTML='PWNED iframe'"></iframe>
<noscript><p>Shown without script</p></noscript>
</body></html>`,
    });
    const text = await pdfText(pdf);
    expect(text).toContain("Untouched text");
    expect(text).toContain("Shown without script");
    expect(text).not.toContain("PWNED");
  });

  it("keeps huge blocked URLs and long lists bounded", async () => {
    const longPath = "a".repeat(2_000);
    const images = Array.from({ length: 150 }, (_, i) => `<img src="${trap.origin}/many/${i}">`).join("");
    const { blockedRequests } = await renderWithoutLeaks({
      html: `<img src="${trap.origin}/${longPath}">${images}`,
    });
    expect(blockedRequests).toHaveLength(100);
    expect(Math.max(...blockedRequests.map((url) => url.length))).toBeLessThanOrEqual(500);
  });
});
