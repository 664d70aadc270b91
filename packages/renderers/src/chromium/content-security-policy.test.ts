import { describe, expect, it } from "vitest";
import { injectDocumentHead, lockedDownCsp } from "./content-security-policy.ts";

const cspMeta = `<meta http-equiv="Content-Security-Policy" content="${lockedDownCsp}">`;

describe("injectDocumentHead", () => {
  it("puts the policy first, keeping a leading doctype (and comments before it) in front", () => {
    expect(injectDocumentHead("<!DOCTYPE html><html><head></head></html>")).toBe(
      `<!DOCTYPE html>${cspMeta}<html><head></head></html>`,
    );
    expect(injectDocumentHead("\uFEFF <!-- hi --> <!doctype html>\n<p>x")).toBe(
      `\uFEFF <!-- hi --> <!doctype html>${cspMeta}\n<p>x`,
    );
  });

  it("prepends the policy to fragments and to documents without a doctype", () => {
    expect(injectDocumentHead("<p>fragment</p>")).toBe(`${cspMeta}<p>fragment</p>`);
    expect(injectDocumentHead("<html><head><base href='http://x/'></head>")).toBe(
      `${cspMeta}<html><head><base href='http://x/'></head>`,
    );
  });

  it("adds an escaped title when asked", () => {
    expect(injectDocumentHead("<p>x</p>", { title: "</title><script>alert(1)</script>&" })).toBe(
      `${cspMeta}<title>&lt;/title>&lt;script>alert(1)&lt;/script>&amp;</title><p>x</p>`,
    );
  });

  it("ends a leading comment at its first -->, as the HTML parser does", () => {
    const html = "<!-- a --> x --> <!doctype html><p>x";
    expect(injectDocumentHead(html)).toBe(`${cspMeta}${html}`);
    expect(injectDocumentHead("<!-- never closed <!doctype html>")).toBe(
      `${cspMeta}<!-- never closed <!doctype html>`,
    );
    expect(injectDocumentHead("<!---->\t<!---->\n<!DOCTYPE html>")).toBe(
      `<!---->\t<!---->\n<!DOCTYPE html>${cspMeta}`,
    );
  });

  it("scans hostile prefixes in linear time (the regex it replaced took minutes on 40 spaces)", () => {
    const hostile = [
      `${" ".repeat(40)}<p>hello</p>`,
      `${" ".repeat(1_000_000)}<p>hello</p>`,
      `${" <!---->".repeat(125_000)}<p>hello</p>`,
      "<!--".repeat(250_000),
      `${" \n".repeat(500_000)}<!doctype html`,
    ];
    for (const html of hostile) {
      // CPU time, not wall time: a process waiting for a core (Chromium launching beside it) is
      // not a slow scan. Linear, each takes 10–30 ms; the old regex took minutes.
      const started = process.cpuUsage();
      const result = injectDocumentHead(html);
      const { user, system } = process.cpuUsage(started);
      expect((user + system) / 1000).toBeLessThan(500);
      expect(result.length).toBeGreaterThan(html.length);
    }
    expect(injectDocumentHead(`${" ".repeat(40)}<p>hello</p>`)).toBe(
      `${cspMeta}${" ".repeat(40)}<p>hello</p>`,
    );
  });

  it("cannot be broken out of by a doctype-looking payload later in the document", () => {
    const html = `<p>x</p><!doctype html><meta http-equiv="Content-Security-Policy" content="default-src *">`;
    expect(injectDocumentHead(html).startsWith(cspMeta)).toBe(true);
  });
});
