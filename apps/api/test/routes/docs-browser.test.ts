import { launchBrowser } from "@kiln/testkit/browser";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestHarness, type TestHarness } from "../../src/testing/test-harness.ts";

let h: TestHarness;
let baseUrl: string;
let browser: Browser;

beforeAll(async () => {
  h = await createTestHarness();
  baseUrl = (await h.serve()).baseUrl;
  browser = await launchBrowser();
}, 60_000);
afterAll(async () => {
  await browser?.close();
  await h?.close();
});

type Watched = Window & { cspViolations: string[] };

describe("/docs in a real browser, offline", () => {
  it("renders the API with every non-loopback request blocked, tries a route, and breaks no CSP rule", async () => {
    const context = await browser.newContext();
    const blocked: string[] = [];
    await context.route("**/*", (route) => {
      const url = new URL(route.request().url());
      if (url.hostname === "127.0.0.1") return route.continue();
      blocked.push(url.href);
      return route.abort();
    });
    const page = await context.newPage();
    await page.addInitScript(() => {
      const watched = window as unknown as Watched;
      watched.cspViolations = [];
      document.addEventListener("securitypolicyviolation", (event) =>
        watched.cspViolations.push(`${event.violatedDirective} ${event.blockedURI}`),
      );
    });
    const problems: string[] = [];
    page.on("console", (message) => {
      if (message.type() === "error") problems.push(message.text());
    });
    page.on("pageerror", (error) => problems.push(error.message));
    try {
      const response = await page.goto(`${baseUrl}/docs`);
      expect(response?.status()).toBe(200);
      await page.locator(".info .title", { hasText: "Kiln" }).waitFor({ timeout: 30_000 });
      await page
        .locator(".opblock-summary-path", { hasText: "/api/companies/{companyId}/content-jobs" })
        .first()
        .waitFor({ timeout: 10_000 });

      // "Try it out" calls the API from the page: same origin, so connect-src 'self' allows it.
      await page.locator(".opblock-summary", { hasText: "/healthz" }).first().click();
      await page.getByRole("button", { name: "Try it out" }).first().click();
      await page.getByRole("button", { name: "Execute" }).first().click();
      await page.locator(".live-responses-table .response-col_status", { hasText: "200" }).first().waitFor();

      expect(blocked).toEqual([]);
      expect(await page.evaluate(() => (window as unknown as Watched).cspViolations)).toEqual([]);
      expect(problems).toEqual([]);
    } finally {
      await context.close();
    }
  }, 60_000);
});
