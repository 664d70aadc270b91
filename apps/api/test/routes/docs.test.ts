import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestHarness, type TestHarness } from "../../src/testing/test-harness.ts";

let h: TestHarness;

beforeAll(async () => {
  h = await createTestHarness();
});
afterAll(() => h?.close());

const docsPage = async () => {
  const response = await h.request("GET", "/docs");
  expect(response.status).toBe(200);
  return { response, html: await response.text() };
};

/** Every URL the page names in `src` or `href`. */
const linkedUrls = (html: string) =>
  [...html.matchAll(/\b(?:src|href)="([^"]*)"/g)].map((match) => match[1]!);

describe("GET /docs", () => {
  it("names only same-origin URLs: no scheme, no host, nothing from a CDN", async () => {
    const { response, html } = await docsPage();
    expect(response.headers.get("content-type")).toMatch(/^text\/html/);
    expect(html).not.toMatch(/https?:\/\//i);
    expect(html).not.toMatch(/(?:src|href)="\/\//);
    const urls = linkedUrls(html);
    expect(urls.length).toBeGreaterThanOrEqual(3);
    for (const url of urls) expect(url, url).toMatch(/^\/[^/]/);
  });

  it("has a strict Content-Security-Policy and cannot be framed", async () => {
    const { response } = await docsPage();
    const policy = response.headers.get("content-security-policy") ?? "";
    for (const directive of [
      "default-src 'none'",
      "script-src 'self'",
      "connect-src 'self'",
      "frame-ancestors 'none'",
      "base-uri 'none'",
    ]) {
      expect(policy).toContain(directive);
    }
    expect(policy).not.toMatch(/script-src[^;]*'unsafe-(inline|eval)'/);
    expect(response.headers.get("x-frame-options")).toBe("DENY");
  });

  it("every script it names answers 200 JavaScript; the package's files are cached for good", async () => {
    const { html } = await docsPage();
    const scripts = [...html.matchAll(/<script src="([^"]+)"/g)].map((match) => match[1]!);
    expect(scripts).toHaveLength(2);
    for (const script of scripts) {
      const response = await h.request("GET", script);
      expect(response.status, script).toBe(200);
      expect(response.headers.get("content-type")).toMatch(/^text\/javascript/);
      expect(response.headers.get("x-frame-options")).toBe("DENY");
      expect((await response.text()).length).toBeGreaterThan(100);
    }
    const bundle = scripts.find((script) => script.endsWith("/swagger-ui-bundle.js"))!;
    expect(bundle).toMatch(/^\/docs\/assets\/swagger-ui-\d+\.\d+\.\d+\/swagger-ui-bundle\.js$/);
    expect((await h.request("GET", bundle)).headers.get("cache-control")).toBe(
      "public, max-age=31536000, immutable",
    );
    const stylesheet = /<link rel="stylesheet" href="([^"]+)"/.exec(html)![1]!;
    const css = await h.request("GET", stylesheet);
    expect(css.status).toBe(200);
    expect(css.headers.get("content-type")).toMatch(/^text\/css/);
  });

  it("nothing else of the package (or beyond it) is reachable → 404", async () => {
    const { html } = await docsPage();
    const base = /src="(\/docs\/assets\/[^"]+)\/swagger-ui-bundle\.js"/.exec(html)![1]!;
    for (const path of [
      `${base}/package.json`,
      `${base}/index.html`,
      `${base}/..%2F..%2Fpackage.json`,
      `${base}/%2e%2e%2fswagger-ui-bundle.js`,
      "/docs/assets/swagger-ui-0.0.0/swagger-ui-bundle.js",
    ]) {
      const response = await h.request("GET", path);
      expect(response.status, path).toBe(404);
      expect(response.headers.get("content-type")).toBe("application/problem+json");
    }
  });
});
