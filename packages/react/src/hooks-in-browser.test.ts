import { fileURLToPath } from "node:url";
import { createTestHarness, type TestHarness } from "@kiln/api/testing";
import { launchBrowser } from "@kiln/testkit/browser";
import { build } from "esbuild";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

// The hooks rendered by React in Debian chromium, against a real API process, worker, PostgreSQL and Redis.

let h: TestHarness;
let browser: Browser;
let baseUrl: string;
let company: { companyId: string; key: string };
let bundle: string;

beforeAll(async () => {
  h = await createTestHarness();
  const [api] = await Promise.all([h.serve(), h.runWorker({ KILN_PROGRESS_INTERVAL_MS: "0" })]);
  baseUrl = api.baseUrl;
  company = await h.createCompany("React");
  const built = await build({
    entryPoints: [fileURLToPath(new URL("../test/fixture-app.tsx", import.meta.url))],
    bundle: true,
    format: "esm",
    platform: "browser",
    jsx: "automatic",
    define: { "process.env.NODE_ENV": '"production"' },
    write: false,
    logLevel: "silent",
  });
  bundle = built.outputFiles[0]!.text;
  browser = await launchBrowser();
}, 120_000);
afterAll(async () => {
  await browser?.close();
  await h?.close();
});

const submitCanary = async (input: { durationMs: number; steps: number }) => {
  const response = await h.request("POST", `/api/companies/${company.companyId}/content-jobs`, {
    key: company.key,
    body: { jobType: "canary", input },
  });
  expect(response.status).toBe(202);
  return ((await response.json()) as { jobId: string }).jobId;
};

/** Opens the fixture page on the API's origin (served by the browser itself), so its requests are same-origin. */
const openFixture = async () => {
  const page = await browser.newPage();
  const errors: string[] = [];
  page.on("pageerror", (error) => errors.push(error.message));
  await page.route(`${baseUrl}/react-fixture/**`, (route) =>
    route.request().url().endsWith(".js")
      ? route.fulfill({ contentType: "text/javascript", body: bundle })
      : route.fulfill({
          contentType: "text/html",
          body: '<!doctype html><div id="root"></div><script type="module" src="/react-fixture/app.js"></script>',
        }),
  );
  await page.addInitScript(
    (config) => {
      window.kilnTest = config;
    },
    { baseUrl, apiKey: company.key, companyId: company.companyId },
  );
  await page.goto(`${baseUrl}/react-fixture/`);
  await page.waitForFunction(() => window.followJob !== undefined);
  return { page, errors };
};

describe("@kiln/react", () => {
  it("useKilnJob re-renders with each event until the job is done", async () => {
    const { page, errors } = await openFixture();
    const panel = page.getByTestId("job");
    expect(await panel.getAttribute("data-status")).toBe("none");
    const jobId = await submitCanary({ durationMs: 2_000, steps: 10 });
    await page.evaluate((id) => window.followJob?.(id), jobId);
    await page.locator("[data-testid='job'][data-status='running']").waitFor({ timeout: 20_000 });
    await page.locator("[data-testid='job'][data-finished='true']").waitFor({ timeout: 30_000 });
    expect(await panel.getAttribute("data-status")).toBe("done");
    expect(await panel.getAttribute("data-progress")).toBe("100");
    const events = (await panel.getAttribute("data-events"))!.split(" ");
    expect(events[0]).toBe("content_job.status");
    expect(events).toContain("content_job.progress");
    expect(events.at(-1)).toBe("content_job.done");
    expect(errors).toEqual([]);
    await page.close();
  }, 60_000);

  it("useKilnJobs lists the company's jobs and shows a new one run to done without a reload", async () => {
    const first = await submitCanary({ durationMs: 0, steps: 1 });
    const { page, errors } = await openFixture();
    await page.locator("[data-testid='jobs'][data-loading='false']").waitFor({ timeout: 20_000 });
    await page.locator(`li[data-id='${first}']`).waitFor();

    const second = await submitCanary({ durationMs: 1_500, steps: 5 });
    await page.locator(`li[data-id='${second}']`).waitFor({ timeout: 20_000 });
    await page
      .locator(`li[data-id='${second}'][data-status='done'][data-progress='100']`)
      .waitFor({ timeout: 30_000 });
    // Newest first.
    expect(await page.locator("li[data-id]").first().getAttribute("data-id")).toBe(second);
    expect(errors).toEqual([]);
    await page.close();
  }, 60_000);
});
