import { randomUUID } from "node:crypto";
import { createServer } from "node:net";
import { createTestHarness, type TestHarness } from "@kiln/api/testing";
import { startTcpProxy } from "@kiln/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { KilnApiError, KilnNetworkError } from "./errors.ts";
import { createKilnClient, type KilnClient } from "./kiln-client.ts";

// No worker: jobs stay queued, which is all these answers need.
let h: TestHarness;
let baseUrl: string;
let client: KilnClient;
let other: { companyId: string; key: string };

beforeAll(async () => {
  h = await createTestHarness();
  baseUrl = (await h.serve()).baseUrl;
  const company = await h.createCompany("Acme");
  other = await h.createCompany("Other");
  client = createKilnClient({ baseUrl, apiKey: company.key, companyId: company.companyId });
}, 120_000);
afterAll(() => h?.close());

/** The KilnApiError a call rejects with. */
const apiError = async (call: Promise<unknown>): Promise<KilnApiError> => {
  const error = await call.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  expect(error).toBeInstanceOf(KilnApiError);
  return error as KilnApiError;
};

describe("KilnApiError carries the problem document", () => {
  it("400: every field error of the input, with dotted paths", async () => {
    const error = await apiError(client.submit({ jobType: "canary", input: { durationMs: -1, steps: 0 } }));
    expect(error).toMatchObject({ status: 400, code: "validation_failed", title: "Validation failed" });
    expect(error.detail).toEqual(expect.any(String));
    expect(error.type).toMatch(/validation-failed/);
    expect(error.errors.map((field) => field.path).sort()).toEqual(["input.durationMs", "input.steps"]);
    for (const field of error.errors) expect(field.message).toEqual(expect.any(String));
    expect(error.problem.status).toBe(400);
    expect(error.message).toContain("400");
  });

  it("400: an unknown or blank job type (submitDynamic sends what it is given)", async () => {
    const unknown = await apiError(client.submitDynamic({ jobType: "no.such.type", input: {} }));
    expect(unknown.status).toBe(400);
    const blank = await apiError(client.submitDynamic({ jobType: "   ", input: {} }));
    expect(blank.status).toBe(400);
    expect(blank.errors.some((field) => field.path === "jobType")).toBe(true);
  });

  it("401: an unknown API key", async () => {
    const stranger = createKilnClient({ baseUrl, apiKey: "kiln_nope", companyId: client.companyId });
    const error = await apiError(stranger.listJobs());
    expect(error).toMatchObject({ status: 401, code: "unauthorized" });
  });

  it("403: a key used on another company's path", async () => {
    const trespasser = createKilnClient({ baseUrl, apiKey: other.key, companyId: client.companyId });
    const error = await apiError(trespasser.listJobs());
    expect(error).toMatchObject({ status: 403, code: "forbidden", title: "Forbidden" });
  });

  it("404: an unknown job, another company's job, a missing artifact, a job stream", async () => {
    expect((await apiError(client.getJob(randomUUID()))).status).toBe(404);
    const { jobId } = await client.submit({ jobType: "canary", input: { durationMs: 0, steps: 1 } });
    const otherClient = createKilnClient({ baseUrl, apiKey: other.key, companyId: other.companyId });
    expect(await apiError(otherClient.getJob(jobId))).toMatchObject({ status: 404, code: "not_found" });
    expect((await apiError(client.downloadArtifact(jobId, "canary.json"))).status).toBe(404);
    const follow = async () => {
      for await (const _event of client.followJob(randomUUID())) throw new Error("no event expected");
    };
    expect((await apiError(follow())).status).toBe(404);
  });

  it("409: retrying a queued job, cancelling a cancelled one", async () => {
    const { jobId } = await client.submit({ jobType: "canary", input: { durationMs: 0, steps: 1 } });
    expect(await apiError(client.retry(jobId))).toMatchObject({ status: 409, code: "conflict" });
    expect((await client.cancel(jobId)).status).toBe("cancelled");
    expect(await apiError(client.cancel(jobId))).toMatchObject({ status: 409, code: "conflict" });
    expect((await client.retry(jobId)).status).toBe("queued");
  });
});

describe("idempotent submits", () => {
  it("the same key and body return the same job; another body is a 409", async () => {
    const idempotencyKey = `submit-${randomUUID()}`;
    const body = { jobType: "canary", input: { durationMs: 0, steps: 2 } } as const;
    const first = await client.submit(body, { idempotencyKey });
    const again = await client.submit(body, { idempotencyKey });
    expect(again.jobId).toBe(first.jobId);
    const changed = await apiError(
      client.submit({ jobType: "canary", input: { durationMs: 0, steps: 3 } }, { idempotencyKey }),
    );
    expect(changed).toMatchObject({ status: 409, code: "conflict" });
    const page = await client.listJobs({ limit: 100 });
    expect(page.items.filter((job) => job.id === first.jobId)).toHaveLength(1);
  });
});

describe("network failures", () => {
  /** A port nothing listens on. */
  const closedPort = async () => {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const address = server.address();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    return typeof address === "object" && address ? address.port : 0;
  };

  it("an unreachable API is a KilnNetworkError, after bounded retries for GETs", async () => {
    const offline = createKilnClient({
      baseUrl: `http://127.0.0.1:${await closedPort()}`,
      apiKey: "kiln_x",
      companyId: client.companyId,
      retry: { maxRetries: 2, initialDelayMs: 100 },
    });
    const started = Date.now();
    const error = await offline.getJob(randomUUID()).catch((reason: unknown) => reason);
    expect(error).toBeInstanceOf(KilnNetworkError);
    expect(error).not.toBeInstanceOf(KilnApiError);
    expect((error as KilnNetworkError).message).toMatch(/ECONNREFUSED/);
    expect(Date.now() - started).toBeGreaterThanOrEqual(200); // two backoff delays: it did retry
  });

  it("a request slower than timeoutMs is a timed-out KilnNetworkError", async () => {
    const slow = createKilnClient({
      baseUrl,
      apiKey: "kiln_x",
      companyId: client.companyId,
      timeoutMs: 50,
      fetch: async (input, init) => {
        await new Promise((resolve) => setTimeout(resolve, 500));
        init?.signal?.throwIfAborted();
        return fetch(input, init);
      },
    });
    const error = await slow.listJobTypes().catch((reason: unknown) => reason);
    expect(error).toBeInstanceOf(KilnNetworkError);
    expect((error as KilnNetworkError).timedOut).toBe(true);
  });
});

describe("503 answers", () => {
  it("are retried with backoff for GETs and keyed submits, never for unkeyed submits", async () => {
    // A second API whose PostgreSQL goes through a proxy the test can cut: a real 503.
    const database = new URL(h.env.DATABASE_URL!);
    const pg = await startTcpProxy(Number(database.port || 5432), database.hostname);
    const fragile = await (await h.addApiInstance({ through: { postgresPort: pg.port } })).serve();
    const company = await h.createCompany("Flaky");
    const statuses: number[] = [];
    const retrying = createKilnClient({
      baseUrl: fragile.baseUrl,
      apiKey: company.key,
      companyId: company.companyId,
      retry: { maxRetries: 60, initialDelayMs: 200, maxDelayMs: 500 },
      fetch: async (input, init) => {
        const response = await fetch(input, init);
        statuses.push(response.status);
        return response;
      },
    });
    try {
      const { jobId } = await retrying.submit({ jobType: "canary", input: { durationMs: 0, steps: 1 } });
      pg.cut();
      statuses.length = 0;
      expect(
        await apiError(retrying.submit({ jobType: "canary", input: { durationMs: 0, steps: 1 } })),
      ).toMatchObject({
        status: 503,
        code: "unavailable",
      });
      expect(statuses).toEqual([503]);

      statuses.length = 0;
      const restore = setTimeout(() => pg.restore(), 1_000);
      const [job, keyed] = await Promise.all([
        retrying.getJob(jobId),
        retrying.submit(
          { jobType: "canary", input: { durationMs: 0, steps: 1 } },
          { idempotencyKey: randomUUID() },
        ),
      ]);
      clearTimeout(restore);
      expect(job.id).toBe(jobId);
      expect(keyed.status).toBe("queued");
      expect(statuses.filter((status) => status === 503).length).toBeGreaterThanOrEqual(2);
      expect(statuses.filter((status) => status < 300)).toHaveLength(2);
    } finally {
      pg.restore();
      await fragile.close();
      await pg.close();
    }
  }, 90_000);
});
