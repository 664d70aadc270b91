import { startTcpProxy, waitUntil } from "@kiln/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestHarness, type TestHarness } from "../../src/testing/test-harness.ts";
import { getJob } from "./support.ts";

let h: TestHarness;
let company: { companyId: string; key: string };
let pg: Awaited<ReturnType<typeof startTcpProxy>>;
let redis: Awaited<ReturnType<typeof startTcpProxy>>;

beforeAll(async () => {
  pg = await startTcpProxy(5432);
  redis = await startTcpProxy(6379);
  // The in-process API reaches PostgreSQL and Redis only through the proxies; the worker directly.
  h = await createTestHarness({ apiThrough: { postgresPort: pg.port, redisPort: redis.port } });
  company = await h.createCompany();
}, 60_000);
afterAll(async () => {
  pg?.restore();
  redis?.restore();
  await h?.close();
  await pg?.close();
  await redis?.close();
});

const submit = () =>
  h.request("POST", `/api/companies/${company.companyId}/content-jobs`, {
    key: company.key,
    body: { jobType: "canary", input: { durationMs: 0, steps: 1 } },
  });

const timed = async <T>(work: () => Promise<T>) => {
  const started = Date.now();
  const value = await work();
  return { value, ms: Date.now() - started };
};

describe("a dependency goes down and comes back", () => {
  it("PostgreSQL unreachable: 503 within seconds, /readyz names the database, /healthz stays 200; then it recovers", async () => {
    pg.cut();
    const { value: response, ms } = await timed(submit);
    expect(response.status).toBe(503);
    expect(ms).toBeLessThan(5_000);
    expect(response.headers.get("content-type")).toBe("application/problem+json");
    const problem = (await response.json()) as { status: number; detail: string };
    expect(problem).toMatchObject({ status: 503 });
    expect(problem.detail).toMatch(/database/);
    expect(JSON.stringify(problem)).not.toMatch(/at .*\.ts|Error:|ECONNREFUSED|127\.0\.0\.1/);

    const ready = await h.request("GET", "/readyz");
    expect(ready.status).toBe(503);
    expect(await ready.json()).toMatchObject({
      checks: { database: "down", redis: "up" },
      detail: expect.stringMatching(/database/),
    });
    expect((await h.request("GET", "/healthz")).status).toBe(200);

    pg.restore();
    await waitUntil(
      async () => (await h.request("GET", "/readyz")).status === 200,
      15_000,
      "readyz 200 again",
    );
    expect((await submit()).status).toBe(202);
  }, 30_000);

  it("Redis unreachable: /readyz names Redis, submits still answer 202, and the job runs once Redis is back", async () => {
    redis.cut();
    const ready = await h.request("GET", "/readyz");
    expect(ready.status).toBe(503);
    expect(await ready.json()).toMatchObject({
      checks: { database: "up", redis: "down" },
      detail: expect.stringMatching(/redis/),
    });
    expect((await h.request("GET", "/healthz")).status).toBe(200);

    const { value: response, ms } = await timed(submit);
    expect(ms).toBeLessThan(8_000);
    expect(response.status).toBe(202);
    const { jobId } = (await response.json()) as { jobId: string };

    // A stream needs Redis: it is refused cleanly rather than left hanging.
    const stream = await h.request("GET", `/api/companies/${company.companyId}/events`, { key: company.key });
    expect(stream.status).toBe(200);
    await stream.body?.cancel();

    redis.restore();
    await h.runWorker({ KILN_RECONCILE_INTERVAL_MS: "500", KILN_RECONCILE_GRACE_MS: "0" });
    const done = await waitUntil(
      async () => {
        const job = await getJob(h, company, jobId);
        return job.status === "done" ? job : undefined;
      },
      20_000,
      "the job accepted while Redis was down to run",
    );
    expect(done.attempts).toBe(1);
    await waitUntil(
      async () => (await h.request("GET", "/readyz")).status === 200,
      15_000,
      "readyz 200 again",
    );
  }, 60_000);
});
