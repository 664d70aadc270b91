import { join } from "node:path";
import { freePort, type ServedApp } from "@kiln/testkit";
import { launchBrowser } from "@kiln/testkit/browser";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestHarness, type TestHarness } from "../../src/testing/test-harness.ts";
import { jobsPath } from "../routes/support.ts";
import { progressSeen, recordProgress, screenshotDir, signIn } from "./browser-support.ts";

// The dashboard in a real browser (Debian chromium through playwright-core) against a real API,
// worker, PostgreSQL and Redis.

let h: TestHarness;
let browser: Browser;
let server: ServedApp;
let company: { companyId: string; key: string };
let shots: string;

beforeAll(async () => {
  h = await createTestHarness();
  company = await h.createCompany("Dashboard");
  [server, browser] = await Promise.all([
    h.serve(),
    launchBrowser(),
    h.runWorker({ KILN_PROGRESS_INTERVAL_MS: "0" }),
  ]);
  shots = screenshotDir();
  console.log(`dashboard screenshots: ${shots}`);
}, 90_000);
afterAll(async () => {
  await browser?.close();
  await h?.close();
});

const submit = async (jobType: string, input: unknown) => {
  const response = await h.request("POST", jobsPath(company.companyId), {
    key: company.key,
    body: { jobType, input },
  });
  expect(response.status).toBe(202);
  return ((await response.json()) as { jobId: string }).jobId;
};

const shoot = (page: Page, name: string) =>
  page.screenshot({ path: join(shots, `${name}.png`), fullPage: true });

/** Fails the test on anything the CSP blocked or the page threw. */
const watchForErrors = (page: Page) => {
  const errors: string[] = [];
  page.on("pageerror", (error) => errors.push(error.message));
  page.on("console", (message) => {
    if (message.type() === "error" && !/Failed to load resource|net::ERR/.test(message.text()))
      errors.push(message.text());
  });
  return errors;
};

describe("the dashboard in chromium", () => {
  it("signs in, submits a canary from the generated form and shows it reach 100 % and done without a reload", async () => {
    const page = await browser.newPage();
    const errors = watchForErrors(page);
    const listRequests: string[] = [];
    page.on("request", (request) => {
      if (/\/content-jobs(\?|$)/.test(request.url()) && request.method() === "GET")
        listRequests.push(request.url());
    });
    await signIn(page, server.baseUrl, company);
    // The key is kept in sessionStorage only: never in the address bar.
    expect(page.url()).not.toContain(company.key);

    await page.getByRole("link", { name: "Submit" }).click();
    await expect.poll(() => page.getByLabel("Job type").inputValue()).toBe("canary");
    // Pre-filled from the type's example.
    expect(Number(await page.getByLabel("steps").inputValue())).toBeGreaterThan(0);
    await page.getByLabel("durationMs").fill("3000");
    await page.getByLabel("steps").fill("15");
    await shoot(page, "01-submit-form");
    await page.evaluate(() => {
      (window as unknown as { sameDocument: boolean }).sameDocument = true;
    });
    await recordProgress(page);
    await page.getByRole("button", { name: "Submit job" }).click();

    const notice = page.locator(".notice a");
    await notice.waitFor();
    const jobId = (await notice.getAttribute("href"))!.split("id=")[1]!;
    const row = page.locator(`tr[data-job-id="${jobId}"]`);
    await row.waitFor();
    await page.locator(`tr[data-job-id="${jobId}"][data-status="running"]`).waitFor({ timeout: 20_000 });
    await shoot(page, "02-jobs-running");
    await page.locator(`tr[data-job-id="${jobId}"][data-status="done"]`).waitFor({ timeout: 30_000 });
    expect(await row.locator("progress").evaluate((bar: HTMLProgressElement) => bar.value)).toBe(100);
    await expect.poll(() => row.locator(".badge").textContent()).toBe("done");
    await shoot(page, "03-jobs-done");

    // The bar moved through intermediate values: the table followed the stream, not a final reload.
    const seen = await progressSeen(page, jobId);
    expect(
      seen.some((value) => value > 0 && value < 100),
      JSON.stringify(seen),
    ).toBe(true);
    expect(seen.at(-1)).toBe(100);
    expect(await page.evaluate(() => (window as unknown as { sameDocument?: boolean }).sameDocument)).toBe(
      true,
    );
    // One list load per visit of the jobs page (sign-in, after submit): updates came over SSE, no polling.
    expect(listRequests.length).toBeLessThanOrEqual(2);
    expect(errors).toEqual([]);
    await page.close();
  }, 90_000);

  it("cancels a long canary from its job view", async () => {
    const jobId = await submit("canary", { durationMs: 120_000, steps: 120 });
    const page = await browser.newPage();
    const errors = watchForErrors(page);
    await signIn(page, server.baseUrl, company);
    await page.locator(`tr[data-job-id="${jobId}"] a`).click();
    await page.locator("[data-job-status='running']").waitFor({ timeout: 20_000 });
    await page.getByRole("button", { name: "Cancel job" }).click();
    await page.locator("[data-job-status='cancelled']").waitFor({ timeout: 20_000 });
    await page.locator(".timeline [data-event='content_job.cancelled']").waitFor({ timeout: 20_000 });
    await expect.poll(() => page.getByRole("button", { name: "Retry job" }).count()).toBe(1);
    await shoot(page, "04-job-cancelled");
    const row = await h.request("GET", `${jobsPath(company.companyId)}/${jobId}`, { key: company.key });
    expect(((await row.json()) as { status: string }).status).toBe("cancelled");
    expect(errors).toEqual([]);
    await page.close();
  }, 60_000);

  it("previews an image and a PDF artifact through object URLs", async () => {
    const [cardId, pdfId, htmlId] = await Promise.all([
      submit("image.card", { title: "Kiln in a browser", format: "png", size: "og" }),
      submit("document.pdf", { markdown: "# Hello\n\nA PDF the dashboard previews.", format: "A4" }),
      submit("markdown.html", { markdown: "# Sandboxed\n\nNo script runs here." }),
    ]);
    const page = await browser.newPage();
    const errors = watchForErrors(page);
    await signIn(page, server.baseUrl, company);

    await page.goto(`${server.baseUrl}/dashboard?view=job&id=${cardId}`);
    await page.locator("[data-job-status='done']").waitFor({ timeout: 60_000 });
    await page.getByRole("button", { name: "Preview card.png" }).click();
    const image = page.locator("img[data-preview='image']");
    await image.waitFor();
    expect(await image.getAttribute("src")).toMatch(/^blob:/);
    await expect
      .poll(() => image.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth))
      .toBeGreaterThan(100);
    await shoot(page, "05-image-preview");

    await page.goto(`${server.baseUrl}/dashboard?view=job&id=${pdfId}`);
    await page.locator("[data-job-status='done']").waitFor({ timeout: 60_000 });
    await page.getByRole("button", { name: "Preview document.pdf" }).click();
    const frame = page.locator("iframe[data-preview='pdf']");
    await frame.waitFor();
    const src = (await frame.getAttribute("src"))!;
    expect(src).toMatch(/^blob:/);
    // The frame loaded the object URL (a frame the CSP blocked would show chrome-error://), and that
    // URL holds the whole artifact.
    await expect.poll(() => page.frames().some((candidate) => candidate.url() === src)).toBe(true);
    const job = (await (
      await h.request("GET", `${jobsPath(company.companyId)}/${pdfId}`, { key: company.key })
    ).json()) as { artifacts: { name: string; size: number }[] };
    const pdf = job.artifacts.find((artifact) => artifact.name === "document.pdf")!;
    expect(Number(await frame.getAttribute("data-bytes"))).toBe(pdf.size);
    await shoot(page, "06-pdf-preview");

    // Tenant HTML is shown in a frame sandboxed without scripts.
    await page.goto(`${server.baseUrl}/dashboard?view=job&id=${htmlId}`);
    await page.locator("[data-job-status='done']").waitFor({ timeout: 60_000 });
    await page.getByRole("button", { name: "Preview index.html" }).click();
    const htmlFrame = page.locator("iframe[data-preview='html']");
    await htmlFrame.waitFor();
    expect(await htmlFrame.getAttribute("sandbox")).toBe("");
    expect(await htmlFrame.getAttribute("src")).toMatch(/^blob:/);
    await page
      .frameLocator("iframe[data-preview='html']")
      .getByRole("heading", { name: "Sandboxed" })
      .waitFor();
    await shoot(page, "07-html-preview");
    expect(errors).toEqual([]);
    await page.close();
  }, 120_000);

  it("keeps the table live across an API restart: a banner while it is down, then the missed progress", async () => {
    // The API goes away (its server closed, every connection dropped) and another instance comes
    // back on the same port: what a browser sees of a restart.
    const port = await freePort();
    let api = await (await h.addApiInstance()).serve({ port });
    const page = await browser.newPage();
    let listRequests = 0;
    page.on("request", (request) => {
      if (/\/content-jobs(\?|$)/.test(request.url())) listRequests++;
    });
    await signIn(page, api.baseUrl, company);
    await recordProgress(page);
    const jobId = await submit("canary", { durationMs: 8_000, steps: 40 });
    const row = page.locator(`tr[data-job-id="${jobId}"]`);
    await page.locator(`tr[data-job-id="${jobId}"][data-status="running"]`).waitFor({ timeout: 20_000 });
    await expect
      .poll(async () => Math.max(0, ...(await progressSeen(page, jobId))), { timeout: 20_000 })
      .toBeGreaterThan(0);
    const listsBeforeKill = listRequests;

    await api.close();
    await page.waitForSelector("body[data-stream='reconnecting']");
    await page.getByText("reconnecting").waitFor();
    const atKill = Math.max(...(await progressSeen(page, jobId)));
    await shoot(page, "08-reconnecting");

    api = await (await h.addApiInstance()).serve({ port });
    await page.waitForSelector("body[data-stream='live']", { timeout: 30_000 });
    expect(await page.locator("#connection-banner").isHidden()).toBe(true);
    await page.locator(`tr[data-job-id="${jobId}"][data-status="done"]`).waitFor({ timeout: 30_000 });
    expect(await row.locator("progress").evaluate((bar: HTMLProgressElement) => bar.value)).toBe(100);
    expect(atKill).toBeLessThan(100);
    // The table caught up from the stream's replay (Last-Event-ID), not by reloading the list.
    expect(listRequests).toBe(listsBeforeKill);
    await shoot(page, "09-caught-up");
    await page.close();
  }, 120_000);

  it("an admin signs in with the admin token, sees queue health, filters by URL, and signing out revokes the session's key", async () => {
    const page = await browser.newPage();
    const errors = watchForErrors(page);
    const tag = `filter-${Date.now()}`;
    const [first, second] = await Promise.all([
      h.request("POST", jobsPath(company.companyId), {
        key: company.key,
        body: { jobType: "canary", input: { durationMs: 0, steps: 1 }, sourceTaskId: tag },
      }),
      h.request("POST", jobsPath(company.companyId), {
        key: company.key,
        body: { jobType: "canary", input: { durationMs: 0, steps: 1 }, sourceTaskId: tag },
      }),
    ]);
    const ids = await Promise.all(
      [first, second].map(async (response) => ((await response.json()) as { jobId: string }).jobId),
    );

    await page.goto(`${server.baseUrl}/dashboard`);
    await page.getByRole("textbox", { name: "Admin token", exact: true }).fill(h.adminToken);
    await page.locator("#admin-company").fill(company.companyId);
    await page.getByRole("button", { name: "Sign in as admin" }).click();
    await page.waitForSelector("body[data-stream='live']");

    await page.getByRole("link", { name: "Queues" }).click();
    await page.locator("tr[data-job-type='canary']").waitFor();
    expect(await page.getByRole("link", { name: "Open Bull Board" }).getAttribute("href")).toBe(
      "/admin/queues",
    );
    await shoot(page, "10-queue-health");

    // Filters live in the address: opening it shows only the matching jobs, with the form filled in.
    await page.goto(`${server.baseUrl}/dashboard?sourceTaskId=${tag}`);
    await expect.poll(() => page.locator("tr[data-job-id]").count()).toBe(2);
    expect(await page.getByLabel("Source task").inputValue()).toBe(tag);
    await page.getByLabel("Job id contains").fill(ids[0]!.slice(0, 13));
    await page.getByRole("button", { name: "Apply" }).click();
    await expect.poll(() => page.locator("tr[data-job-id]").count()).toBe(1);
    expect(await page.locator("tr[data-job-id]").getAttribute("data-job-id")).toBe(ids[0]);
    expect(new URL(page.url()).searchParams.get("q")).toBe(ids[0]!.slice(0, 13));
    await shoot(page, "11-filtered");

    const stored = JSON.parse(
      (await page.evaluate(() => sessionStorage.getItem("kiln.dashboard.session")))!,
    ) as {
      key: string;
    };
    const withSessionKey = () => h.request("GET", jobsPath(company.companyId), { key: stored.key });
    expect((await withSessionKey()).status).toBe(200);
    await page.getByRole("button", { name: "Sign out" }).click();
    await page.getByRole("button", { name: "Sign in as admin" }).waitFor();
    expect(await page.evaluate(() => sessionStorage.length)).toBe(0);
    await expect.poll(async () => (await withSessionKey()).status).toBe(401);
    expect(errors).toEqual([]);
    await page.close();
  }, 60_000);
});
