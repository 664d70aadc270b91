import { describe, expect, it } from "vitest";
import { classifyRenderFailure } from "./render-failures.ts";

const healthy = { crashed: false, closing: false, connected: true };

/** The errors Playwright raises, word for word, for documents Chromium cannot print. */
const unprintable = [
  "page.pdf: Protocol error (Page.printToPDF): Printing failed",
  "page.pdf: Protocol error (Page.printToPDF): invalid print parameters: content area is empty",
];

describe("classifyRenderFailure", () => {
  it("fails a document Chromium cannot print at once, as pdf_print_failed", () => {
    for (const message of unprintable) {
      const error = classifyRenderFailure(healthy, new Error(message));
      expect(error).toMatchObject({ name: "RenderError", code: "pdf_print_failed", retryable: false });
      expect((error as Error).message).toBe(
        `Chromium could not print this document: ${message.split("Page.printToPDF): ")[1]}`,
      );
    }
  });

  it("keeps other failures retryable", () => {
    expect(
      classifyRenderFailure(healthy, new Error("Target page, context or browser has been closed")),
    ).toMatchObject({
      code: "render_failed",
      retryable: true,
    });
    expect(
      classifyRenderFailure({ ...healthy, crashed: true, connected: false }, new Error(unprintable[0])),
    ).toMatchObject({
      code: "browser_crashed",
      retryable: true,
    });
  });
});
