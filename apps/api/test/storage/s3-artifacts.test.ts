import { createHash, randomBytes } from "node:crypto";
import { startTcpProxy, type TcpProxy, waitUntil } from "@kiln/testkit";
import { type S3Server, startS3Server } from "@kiln/testkit/s3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestHarness, type TestHarness } from "../../src/testing/test-harness.ts";
import { expectProblem, finishJob, jobPath, submitCanary, type TestCompany } from "../routes/support.ts";

// Artifacts on a real S3-compatible server (s3rver on loopback), reached through a TCP proxy the
// tests cut to take the store "down" for the API alone.
let s3: S3Server;
let proxy: TcpProxy;
let h: TestHarness;
let acme: TestCompany;
const prefix = "kiln/artifacts";

beforeAll(async () => {
  s3 = await startS3Server();
  proxy = await startTcpProxy(s3.port);
  h = await createTestHarness({
    env: { ...s3.env({ prefix }), KILN_S3_ENDPOINT: `http://127.0.0.1:${proxy.port}` },
  });
  acme = await h.createCompany("Acme");
}, 60_000);
afterAll(async () => {
  await h?.close();
  await proxy?.close();
  await s3?.stop();
});

const sha256Of = (bytes: Uint8Array | string) => createHash("sha256").update(bytes).digest("hex");
const artifactPath = (jobId: string, name: string) => `${jobPath(acme.companyId, jobId)}/artifacts/${name}`;
const download = (jobId: string, name: string, headers: Record<string, string> = {}) =>
  h.request("GET", artifactPath(jobId, name), { key: acme.key, headers });
const objectUrl = (jobId: string, name: string) =>
  `/${s3.bucket}/${prefix}/${acme.companyId}/${jobId}/${name}`;
/** The requests the S3 server got from `since` on, to one object. */
const requestsFor = (since: number, jobId: string, name: string) =>
  s3.requests.slice(since).filter((request) => request.url.startsWith(objectUrl(jobId, name)));

describe("downloads streamed through the API from S3", () => {
  const bytes = JSON.stringify({ canary: true, steps: [1, 2, 3] });
  let jobId: string;
  beforeAll(async () => {
    jobId = await submitCanary(h, acme);
    await finishJob(h, acme.companyId, jobId, "canary.json", bytes);
  });

  it("200 with the bytes and the same headers as from local disk", async () => {
    const response = await download(jobId, "canary.json");
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("application/json");
    expect(response.headers.get("content-length")).toBe(String(Buffer.byteLength(bytes)));
    expect(response.headers.get("etag")).toBe(`"${sha256Of(bytes)}"`);
    expect(response.headers.get("content-disposition")).toBe('inline; filename="canary.json"');
    expect(response.headers.get("accept-ranges")).toBe("bytes");
    expect(response.headers.get("content-security-policy")).toMatch(/sandbox/);
    expect(await response.text()).toBe(bytes);
  });

  it("Range → 206 from one ranged GET to S3; past the end → 416 without asking S3", async () => {
    const seen = s3.requests.length;
    const response = await download(jobId, "canary.json", { range: "bytes=2-7" });
    expect(response.status).toBe(206);
    expect(response.headers.get("content-range")).toBe(`bytes 2-7/${Buffer.byteLength(bytes)}`);
    expect(await response.text()).toBe(bytes.slice(2, 8));
    expect(requestsFor(seen, jobId, "canary.json")).toMatchObject([{ method: "GET", range: "bytes=2-7" }]);

    const after = s3.requests.length;
    await expectProblem(await download(jobId, "canary.json", { range: "bytes=5000-" }), 416);
    expect(s3.requests.length).toBe(after);
  });

  it("a 12 MiB artifact (multipart upload) downloads whole, and its last bytes by range", async () => {
    const big = randomBytes(12 * 1024 * 1024);
    const bigJob = await submitCanary(h, acme);
    const started = await h.services.engine.startAttempt(bigJob);
    if (started.kind !== "started") throw new Error("the attempt did not start");
    const stored = await h.services.artifacts.put(
      { companyId: acme.companyId, jobId: bigJob, name: "big.bin" },
      big,
    );
    expect(stored).toEqual({ size: big.byteLength, sha256: sha256Of(big) });
    await h.services.engine.complete(started.handle, [
      { name: "big.bin", contentType: "application/octet-stream", ...stored },
    ]);

    const whole = await download(bigJob, "big.bin");
    expect(whole.status).toBe(200);
    expect(sha256Of(new Uint8Array(await whole.arrayBuffer()))).toBe(sha256Of(big));
    const tail = await download(bigJob, "big.bin", { range: "bytes=-1024" });
    expect(tail.status).toBe(206);
    expect(Buffer.from(await tail.arrayBuffer()).equals(big.subarray(big.byteLength - 1024))).toBe(true);
  });

  it("an object gone from the bucket → the same 404 problem as on local disk", async () => {
    const goneJob = await submitCanary(h, acme);
    await finishJob(h, acme.companyId, goneJob, "canary.json", "{}");
    await h.services.artifacts.deleteJob(acme.companyId, goneJob);
    const problem = await expectProblem(await download(goneJob, "canary.json"), 404);
    expect(problem.detail).toBe("The artifact's bytes are gone");
  });

  it("S3 down → 503 problem+json naming artifact storage, no stack; back up → 200", async () => {
    proxy.cut();
    try {
      const response = await download(jobId, "canary.json");
      expect(response.headers.get("retry-after")).toBe("5");
      const problem = await expectProblem(response, 503);
      expect(problem.detail).toBe("artifact storage is unavailable");
    } finally {
      proxy.restore();
    }
    expect((await download(jobId, "canary.json")).status).toBe(200);
  });
});

describe("downloads answered 302 to a presigned URL (KILN_ARTIFACT_REDIRECT=presigned)", () => {
  const bytes = "<svg xmlns='http://www.w3.org/2000/svg'/>";
  let jobId: string;
  let presigning: Awaited<ReturnType<TestHarness["addApiInstance"]>>;
  beforeAll(async () => {
    jobId = await submitCanary(h, acme);
    await finishJob(h, acme.companyId, jobId, "index.html", bytes);
    presigning = await h.addApiInstance({
      env: { KILN_ARTIFACT_REDIRECT: "presigned", KILN_ARTIFACT_URL_TTL_S: "120" },
    });
  });

  it("302 to a URL that expires, serving the bytes with the API's type and disposition", async () => {
    const response = await presigning.request("GET", artifactPath(jobId, "index.html"), { key: acme.key });
    expect(response.status).toBe(302);
    expect(response.headers.get("cache-control")).toBe("private, no-store");
    const location = response.headers.get("location") ?? "";
    expect(location).toContain(`${prefix}/${acme.companyId}/${jobId}/index.html`);
    expect(new URL(location).searchParams.get("X-Amz-Expires")).toBe("120");

    // The URL is the credential: fetched as a browser follows the redirect, without Authorization.
    const followed = await fetch(location);
    expect(followed.status).toBe(200);
    expect(followed.headers.get("content-type")).toMatch(/^text\/html/);
    expect(followed.headers.get("content-disposition")).toBe('attachment; filename="index.html"');
    expect(await followed.text()).toBe(bytes);
  });

  it("a client following the redirect with its API key gets the bytes (fetch drops it across origins)", async () => {
    const { baseUrl } = await presigning.serve();
    const response = await fetch(`${baseUrl}${artifactPath(jobId, "index.html")}`, {
      headers: { authorization: `Bearer ${acme.key}` },
    });
    expect(response.status).toBe(200);
    expect(response.redirected).toBe(true);
    expect(await response.text()).toBe(bytes);
  });

  it("?redirect=false streams through the API all the same (what the dashboard asks)", async () => {
    const path = `${artifactPath(jobId, "index.html")}?redirect=false`;
    const response = await presigning.request("GET", path, { key: acme.key });
    expect(response.status).toBe(200);
    expect(response.headers.get("content-security-policy")).toMatch(/sandbox/);
    expect(await response.text()).toBe(bytes);
  });

  it("still checks the caller first: another company's key → 403, an unknown artifact → 404", async () => {
    const other = await h.createCompany("Other");
    const foreign = await presigning.request("GET", artifactPath(jobId, "index.html"), { key: other.key });
    expect(foreign.status).toBe(403);
    await expectProblem(
      await presigning.request("GET", artifactPath(jobId, "nope.txt"), { key: acme.key }),
      404,
    );
  });
});

describe("jobs rendered by a worker with artifacts on S3", () => {
  beforeAll(async () => {
    // Two workers in this process: canary jobs store into the bucket; markdown.html jobs into a
    // bucket whose policy refuses writes.
    await h.runWorker({ KILN_PROGRESS_INTERVAL_MS: "0" }, { jobTypes: ["canary"] });
    await h.runWorker(s3.env({ bucket: s3.readOnlyBucket, prefix }), { jobTypes: ["markdown.html"] });
  }, 60_000);

  const waitForTerminal = async (jobId: string) => {
    let job: Record<string, unknown> = {};
    await waitUntil(async () => {
      job = (await (
        await h.request("GET", jobPath(acme.companyId, jobId), { key: acme.key })
      ).json()) as Record<string, unknown>;
      return job.status === "done" || job.status === "failed";
    }, 20_000);
    return job as {
      status: string;
      attempts: number;
      error: { code: string; message: string } | null;
      artifacts: { name: string; size: number; sha256: string; url: string }[];
    };
  };

  it("end to end: submitted, rendered, stored under prefix/companyId/jobId/name, downloaded", async () => {
    const seen = s3.requests.length;
    const jobId = await submitCanary(h, acme, { input: { durationMs: 50, steps: 2 } });
    const job = await waitForTerminal(jobId);
    expect(job.status).toBe("done");
    const [artifact] = job.artifacts;
    expect(artifact?.name).toBe("canary.json");
    expect(requestsFor(seen, jobId, "canary.json").map((request) => request.method)).toContain("PUT");

    const response = await h.request("GET", artifact!.url, { key: acme.key });
    expect(response.status).toBe(200);
    const body = new Uint8Array(await response.arrayBuffer());
    expect(body.byteLength).toBe(artifact!.size);
    expect(sha256Of(body)).toBe(artifact!.sha256);
  });

  it("a bucket that refuses writes: retried, then failed with a clear artifact_storage_failed error", async () => {
    const response = await h.request("POST", `/api/companies/${acme.companyId}/content-jobs`, {
      key: acme.key,
      body: { jobType: "markdown.html", input: { markdown: "# Hi" }, maxAttempts: 2 },
    });
    expect(response.status).toBe(202);
    const { jobId } = (await response.json()) as { jobId: string };
    const job = await waitForTerminal(jobId);
    expect(job.status).toBe("failed");
    // Retryable: both attempts ran (a permanent error stops after the first).
    expect(job.attempts).toBe(2);
    expect(job.error).toEqual({
      code: "artifact_storage_failed",
      message: "could not store index.html: AccessDenied (HTTP 403): Access Denied",
    });
    expect(job.artifacts).toEqual([]);
  });
});
