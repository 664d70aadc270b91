import { createHash } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestHarness, type TestHarness } from "../../src/testing/test-harness.ts";
import { expectProblem, finishJob, jobPath, submitCanary, type TestCompany } from "./support.ts";

let h: TestHarness;
let acme: TestCompany;
let doneJob: string;
const bytes = JSON.stringify({ canary: true, steps: [1, 2, 3] });
const sha256 = createHash("sha256").update(bytes).digest("hex");

beforeAll(async () => {
  h = await createTestHarness();
  acme = await h.createCompany("Acme");
  doneJob = await submitCanary(h, acme);
  await finishJob(h, acme.companyId, doneJob, "canary.json", bytes);
});
afterAll(() => h?.close());

const artifactPath = (jobId: string, name: string) => `${jobPath(acme.companyId, jobId)}/artifacts/${name}`;
const download = (jobId: string, name: string, headers: Record<string, string> = {}) =>
  h.request("GET", artifactPath(jobId, name), { key: acme.key, headers });

describe("GET …/content-jobs/:jobId/artifacts/:name", () => {
  it("200 with the bytes, Content-Type, Content-Length, ETag and Content-Disposition", async () => {
    const response = await download(doneJob, "canary.json");
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("application/json");
    expect(response.headers.get("content-length")).toBe(String(Buffer.byteLength(bytes)));
    expect(response.headers.get("etag")).toBe(`"${sha256}"`);
    expect(response.headers.get("content-disposition")).toBe('inline; filename="canary.json"');
    expect(response.headers.get("x-content-type-options")).toBe("nosniff");
    expect(response.headers.get("content-security-policy")).toMatch(/default-src 'none'.*sandbox/);
    expect(await response.text()).toBe(bytes);
  });

  it("the url in the Job is the one that downloads it", async () => {
    const job = (await (
      await h.request("GET", jobPath(acme.companyId, doneJob), { key: acme.key })
    ).json()) as {
      artifacts: { url: string; sha256: string; size: number }[];
    };
    expect(job.artifacts[0]).toMatchObject({ sha256, size: Buffer.byteLength(bytes) });
    const response = await h.request("GET", job.artifacts[0]!.url, { key: acme.key });
    expect(response.status).toBe(200);
    expect(await response.text()).toBe(bytes);
  });

  it("If-None-Match with the ETag → 304 without a body", async () => {
    const etag = (await download(doneJob, "canary.json")).headers.get("etag")!;
    const response = await download(doneJob, "canary.json", { "if-none-match": etag });
    expect(response.status).toBe(304);
    expect(response.headers.get("etag")).toBe(etag);
    expect(await response.text()).toBe("");
  });

  it("If-None-Match as a list or a weak tag matches too (RFC 9110 weak comparison)", async () => {
    for (const header of [`"nope", "${sha256}"`, `W/"${sha256}"`, "*"]) {
      expect((await download(doneJob, "canary.json", { "if-none-match": header })).status, header).toBe(304);
    }
  });

  it("another ETag in If-None-Match → 200 with the bytes", async () => {
    const response = await download(doneJob, "canary.json", { "if-none-match": '"0000"' });
    expect(response.status).toBe(200);
    expect(await response.text()).toBe(bytes);
  });

  it("Range: one byte range → 206 with Content-Range and only those bytes", async () => {
    const size = Buffer.byteLength(bytes);
    for (const [range, start, end] of [
      ["bytes=0-4", 0, 4],
      ["bytes=5-", 5, size - 1],
      ["bytes=-3", size - 3, size - 1],
      ["bytes=10-100000", 10, size - 1],
    ] as const) {
      const response = await download(doneJob, "canary.json", { range });
      expect(response.status, range).toBe(206);
      expect(response.headers.get("content-range")).toBe(`bytes ${start}-${end}/${size}`);
      expect(response.headers.get("content-length")).toBe(String(end - start + 1));
      expect(response.headers.get("etag")).toBe(`"${sha256}"`);
      expect(response.headers.get("content-type")).toBe("application/json");
      expect(await response.text()).toBe(bytes.slice(start, end + 1));
    }
    expect((await download(doneJob, "canary.json")).headers.get("accept-ranges")).toBe("bytes");
  });

  it("Range past the end → 416 problem with Content-Range: bytes */size", async () => {
    const size = Buffer.byteLength(bytes);
    for (const range of [`bytes=${size}-`, "bytes=-0"]) {
      const response = await download(doneJob, "canary.json", { range });
      expect(response.headers.get("content-range"), range).toBe(`bytes */${size}`);
      expect((await expectProblem(response, 416)).title).toBe("Range not satisfiable");
    }
  });

  it("a Range it may ignore (several ranges, bad syntax, another unit, a stale If-Range) → 200 whole", async () => {
    for (const headers of <Record<string, string>[]>[
      { range: "bytes=0-1,4-5" },
      { range: "bytes=5-2" },
      { range: "items=0-1" },
      { range: "bytes=0-1", "if-range": '"an-older-etag"' },
    ]) {
      const response = await download(doneJob, "canary.json", headers);
      expect(response.status, JSON.stringify(headers)).toBe(200);
      expect(await response.text()).toBe(bytes);
    }
    const current = await download(doneJob, "canary.json", { range: "bytes=0-1", "if-range": `"${sha256}"` });
    expect(current.status).toBe(206);
  });

  it("an HTML artifact downloads as an attachment, never rendered inline", async () => {
    const jobId = await submitCanary(h, acme);
    await finishJob(h, acme.companyId, jobId, "index.html", "<h1>hi</h1>");
    const response = await download(jobId, "index.html");
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toMatch(/^text\/html/);
    expect(response.headers.get("content-disposition")).toBe('attachment; filename="index.html"');
    expect(response.headers.get("x-content-type-options")).toBe("nosniff");
  });

  it.each([
    ["an unknown name", "nope.json"],
    ["another case", "CANARY.JSON"],
    ["a path traversal", "..%2F..%2Fetc%2Fpasswd"],
    ["an encoded dot-dot", "%2E%2E"],
    ["a very long name", "a".repeat(300)],
  ])("%s → 404 problem", async (_, name) => {
    const problem = await expectProblem(await download(doneJob, name), 404);
    expect(problem.title).toBe("Not found");
  });

  it("a job without artifacts yet → 404", async () => {
    const queued = await submitCanary(h, acme);
    await expectProblem(await download(queued, "canary.json"), 404);
  });

  it("an artifact whose bytes are gone → 404, not 500", async () => {
    const jobId = await submitCanary(h, acme);
    await finishJob(h, acme.companyId, jobId, "canary.json", "{}");
    await h.services.artifacts.deleteJob(acme.companyId, jobId);
    await expectProblem(await download(jobId, "canary.json"), 404);
  });
});
