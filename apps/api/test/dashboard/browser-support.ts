import { mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Page } from "playwright-core";

/**
 * Where screenshots go: a fresh folder under the OS temp dir (outside the repository, so never
 * committed), kept after the run so a person can look.
 */
export const screenshotDir = () => {
  const dir = join(tmpdir(), `kiln-dashboard-screenshots-${new Date().toISOString().replace(/[:.]/g, "-")}`);
  mkdirSync(dir, { recursive: true });
  return dir;
};

/** Signs in through the page's form with a company key and waits for the live stream. */
export const signIn = async (page: Page, baseUrl: string, company: { companyId: string; key: string }) => {
  await page.goto(`${baseUrl}/dashboard`);
  await page.locator("#key-company").fill(company.companyId);
  await page.getByRole("textbox", { name: "API key", exact: true }).fill(company.key);
  await page.getByRole("button", { name: "Sign in", exact: true }).click();
  await page.waitForSelector("body[data-stream='live']");
};

type ProgressWindow = { progressSeen?: Record<string, number[]> };

/** From now on, records every value each row's progress bar shows, as the page renders it. */
export const recordProgress = (page: Page) =>
  page.evaluate(() => {
    const seen: Record<string, number[]> = {};
    (window as ProgressWindow).progressSeen = seen;
    new MutationObserver(() => {
      for (const row of document.querySelectorAll("tr[data-job-id]")) {
        const id = row.getAttribute("data-job-id") ?? "";
        const value = row.querySelector("progress")?.value;
        const values = seen[id] ?? [];
        seen[id] = values;
        if (value !== undefined && values.at(-1) !== value) values.push(value);
      }
    }).observe(document.body, { subtree: true, childList: true });
  });

export const progressSeen = (page: Page, jobId: string) =>
  page.evaluate((id) => (window as ProgressWindow).progressSeen?.[id] ?? [], jobId);
