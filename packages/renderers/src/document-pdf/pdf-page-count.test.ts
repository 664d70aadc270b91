import { describe, expect, it } from "vitest";
import { countPdfPages } from "./pdf-page-count.ts";

const pdf = (text: string) => new TextEncoder().encode(text);

describe("countPdfPages", () => {
  it("counts /Type /Page objects, not the /Pages tree nodes", () => {
    const body = [
      "1 0 obj << /Type /Pages /Kids [2 0 R 3 0 R] /Count 2 >> endobj",
      "2 0 obj << /Type /Page /Parent 1 0 R >> endobj",
      "3 0 obj <</Type/Page/Parent 1 0 R>> endobj",
    ].join("\n");
    expect(countPdfPages(pdf(`%PDF-1.4\n${body}`))).toBe(2);
  });

  it("falls back to the root /Pages /Count when page objects are compressed away", () => {
    const body =
      "1 0 obj << /Count 7 /Kids [4 0 R 5 0 R] /Type /Pages >> endobj\n4 0 obj << /Type /Pages /Count 3 >>";
    expect(countPdfPages(pdf(`%PDF-1.7\n${body}`))).toBe(7);
  });

  it("finds no pages in something that is not a PDF", () => {
    expect(countPdfPages(pdf("hello"))).toBe(0);
  });
});
