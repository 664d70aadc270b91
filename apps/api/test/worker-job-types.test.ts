import { sleep, waitUntil } from "@kiln/testkit";
import { afterAll, beforeAll, expect, it } from "vitest";
import { createTestHarness, type TestHarness } from "../src/testing/test-harness.ts";
import { getJob, submitJob } from "./faults/support.ts";

let h: TestHarness;
let company: { companyId: string; key: string };
beforeAll(async () => {
  h = await createTestHarness();
  company = await h.createCompany();
}, 60_000);
afterAll(() => h?.close());

it("a worker started for some job types takes only those; another type waits until a worker serves it", async () => {
  const canaryOnly = await h.startWorker({}, ["--job-types", "canary"]);
  expect(canaryOnly.output()).toContain("KILN_WORKER_READY jobTypes=canary\n");
  const canary = await submitJob(h, company, { jobType: "canary", input: { durationMs: 0, steps: 1 } });
  const page = await submitJob(h, company, { jobType: "markdown.html", input: { markdown: "# Waiting" } });

  await waitUntil(async () => (await getJob(h, company, canary)).status === "done", 20_000, "canary done");
  await sleep(1_000);
  expect(await getJob(h, company, page)).toMatchObject({ status: "queued", attempts: 0 });

  const pages = await h.startWorker({ KILN_WORKER_JOB_TYPES: "markdown.html" });
  expect(pages.output()).toContain("KILN_WORKER_READY jobTypes=markdown.html\n");
  await waitUntil(async () => (await getJob(h, company, page)).status === "done", 20_000, "page done");
}, 60_000);
