import { maxMarkdownChars } from "../markdown/markdown-limits.ts";
import { createMarkdownHtmlRenderer } from "../markdown-html/markdown-html-renderer.ts";
import { createTestRenderContext } from "./test-render-context.ts";

/** CPU time (user + system, ms) `run` took; `outcome` is what it threw, undefined when it resolved. */
export const cpuMsOf = async (run: () => Promise<unknown>): Promise<{ outcome: unknown; cpuMs: number }> => {
  const started = process.cpuUsage();
  const outcome = await run().then(
    () => undefined,
    (error: unknown) => error,
  );
  const { user, system } = process.cpuUsage(started);
  return { outcome, cpuMs: (user + system) / 1000 };
};

const line =
  "Some *ordinary* prose with a [link](https://example.com/page) and `code`, as documents have.\n\n";
/** An ordinary Markdown document as large as the schema allows. */
const ordinaryDocument = line.repeat(Math.floor(maxMarkdownChars / line.length));

/**
 * The CPU bound of a hostile-input test: a second, or six times what rendering an ordinary
 * document of the largest size costs right now, whichever is more (quiet, that document takes
 * 0.15–0.3 s here, so the bound is a second). The same render costs this machine up to 1.7× more
 * CPU time while its cores are shared (a CI run, Chromium launching beside it) than when it is
 * quiet; the ordinary document slows alike, so the bound keeps its meaning — a hostile input costs
 * no more than a few ordinary documents — while the inputs it guards against cost 30 s and more.
 */
export const cpuBoundForThisMachine = async (): Promise<number> => {
  const renderer = createMarkdownHtmlRenderer();
  const render = () =>
    renderer.render(
      renderer.inputSchema.parse({ markdown: ordinaryDocument }),
      createTestRenderContext().ctx,
    );
  // The first render loads and compiles the pipeline: not counted.
  await render();
  const samples: number[] = [];
  for (let i = 0; i < 3; i++) samples.push((await cpuMsOf(render)).cpuMs);
  return Math.max(1_000, 6 * Math.min(...samples));
};
