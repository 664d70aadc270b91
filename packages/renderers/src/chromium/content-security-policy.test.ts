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

  it("cannot be broken out of by a doctype-looking payload later in the document", () => {
    const html = `<p>x</p><!doctype html><meta http-equiv="Content-Security-Policy" content="default-src *">`;
    expect(injectDocumentHead(html).startsWith(cspMeta)).toBe(true);
  });
});
