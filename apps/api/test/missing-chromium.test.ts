import type { Logger } from "@kiln/core";
import { readSse } from "@kiln/testkit";
import { checkChromium, loadWorkerConfig, runWorker } from "@kiln/worker";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestHarness, type TestHarness } from "../src/testing/test-harness.ts";
import { submitJob } from "./faults/support.ts";

/** A logger that keeps what it was given, to assert on the lines an operator would read. */
const recordingLogger = () => {
  const lines: { level: string; obj: object | string; msg?: string }[] = [];
  const at =
    (level: string) =>
    (obj: object | string, msg?: string): void => {
      lines.push({ level, obj, msg });
    };
  const logger: Logger = {
    debug: at("debug"),
    info: at("info"),
    warn: at("warn"),
    error: at("error"),
    child: () => logger,
  };
  return { logger, lines };
};

const mentionsBrowser = (line: { msg?: string }) =>
  line.msg?.startsWith("no browser for document.pdf") ?? false;

let h: TestHarness;
let company: { companyId: string; key: string };
beforeAll(async () => {
  h = await createTestHarness();
  company = await h.createCompany();
}, 60_000);
afterAll(() => h?.close());

describe("a worker without Chromium", () => {
  it("says so in one line at start, and a document.pdf job fails at once with the same words", async () => {
    const { logger, lines } = recordingLogger();
    const config = loadWorkerConfig({ ...h.env, KILN_CHROMIUM_PATH: "/nonexistent/chromium" });
    const worker = await runWorker({ config, logger });
    try {
      const atStart = lines.filter(mentionsBrowser);
      expect(atStart).toHaveLength(1);
      expect(atStart[0]).toMatchObject({ level: "warn", obj: { executablePath: "/nonexistent/chromium" } });
      expect(atStart[0]?.msg).toContain("/nonexistent/chromium does not exist");
      expect(atStart[0]?.msg).toContain("KILN_CHROMIUM_PATH");
      expect(atStart[0]?.msg).toContain("apt-get install chromium");
      expect(atStart[0]?.msg).toContain("brew install --cask chromium");

      const jobId = await submitJob(h, company, { jobType: "document.pdf", input: { markdown: "# Hi" } });
      const stream = await h.request(
        "GET",
        `/api/companies/${company.companyId}/content-jobs/${jobId}/events`,
        {
          key: company.key,
        },
      );
      const { events } = await readSse(stream, { timeoutMs: 20_000 });
      expect(events.some((event) => event.event === "content_job.retrying")).toBe(false);
      const last = events.at(-1);
      expect(last?.event).toBe("content_job.failed");
      expect(last?.data.job).toMatchObject({
        status: "failed",
        attempts: 1,
        // The job's error says what the worker's log said.
        error: { code: "browser_unavailable", message: atStart[0]?.msg },
      });
    } finally {
      await worker.close();
    }
  }, 40_000);

  it("says nothing when it does not serve document.pdf", async () => {
    const { logger, lines } = recordingLogger();
    const served = await checkChromium({
      served: ["canary"],
      executablePath: "/nonexistent/chromium",
      logger,
    });
    expect(served).toBe(true);
    expect(lines).toEqual([]);
  });

  it("says nothing when the binary is there", async () => {
    const { logger, lines } = recordingLogger();
    // Any executable file passes the start-up check; launching it is the pool's business.
    const present = await checkChromium({
      served: ["document.pdf"],
      executablePath: process.execPath,
      logger,
    });
    expect(present).toBe(true);
    expect(lines).toEqual([]);
  });
});
