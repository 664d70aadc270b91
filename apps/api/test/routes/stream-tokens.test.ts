import { createHmac } from "node:crypto";
import { readSse } from "@kiln/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createStreamTokens } from "../../src/auth/stream-tokens.ts";
import { createTestHarness, type TestHarness } from "../../src/testing/test-harness.ts";
import { canaryInput, expectProblem, jobPath, jobsPath, submitCanary, type TestCompany } from "./support.ts";

let h: TestHarness;
let a: TestCompany;
let b: TestCompany;
let aJob: string;
let bJob: string;

beforeAll(async () => {
  h = await createTestHarness();
  a = await h.createCompany("A");
  b = await h.createCompany("B");
  aJob = await submitCanary(h, a);
  bJob = await submitCanary(h, b);
});
afterAll(() => h?.close());

const mint = async (company: TestCompany) => {
  const response = await h.request("POST", `/api/companies/${company.companyId}/stream-tokens`, {
    key: company.key,
  });
  expect(response.status).toBe(201);
  return (await response.json()) as { token: string; expiresAt: string };
};

/** Tokens signed as the API signs them (its secret derives from the admin token), at another time. */
const tokensAt = (
  now: number,
  secret = createHmac("sha256", h.adminToken).update("kiln-stream-tokens").digest("hex"),
) => createStreamTokens({ secret, ttlSeconds: 300, now: () => now });

const withToken = (path: string, token: string) =>
  `${path}${path.includes("?") ? "&" : "?"}access_token=${encodeURIComponent(token)}`;

/** Opens an SSE route with a stream token and hangs up at once (the status is what matters). */
const openStream = async (path: string, token: string) => {
  const response = await h.request("GET", withToken(path, token));
  if (response.status === 200) await response.body?.cancel();
  return { response };
};

const sseRoutes = (company: TestCompany, jobId: string) => [
  `${jobPath(company.companyId, jobId)}/events`,
  `/api/companies/${company.companyId}/events`,
];

describe("POST /api/companies/:companyId/stream-tokens", () => {
  it("201 {token, expiresAt}, expiring within 5 minutes", async () => {
    const before = Date.now();
    const response = await h.request("POST", `/api/companies/${a.companyId}/stream-tokens`, { key: a.key });
    expect(response.status).toBe(201);
    const body = (await response.json()) as { token: string; expiresAt: string };
    expect(Object.keys(body).sort()).toEqual(["expiresAt", "token"]);
    expect(body.token.length).toBeGreaterThan(20);
    const expiresAt = Date.parse(body.expiresAt);
    expect(expiresAt).toBeGreaterThan(before);
    expect(expiresAt).toBeLessThanOrEqual(Date.now() + 5 * 60_000);
  });

  it("a stream token cannot mint another one", async () => {
    const { token } = await mint(a);
    await expectProblem(
      await h.request("POST", withToken(`/api/companies/${a.companyId}/stream-tokens`, token)),
      401,
    );
    await expectProblem(
      await h.request("POST", `/api/companies/${a.companyId}/stream-tokens`, { key: token }),
      401,
    );
  });
});

describe("?access_token= on SSE routes", () => {
  it("opens the company's job stream and company stream: 200 text/event-stream", async () => {
    const { token } = await mint(a);
    for (const path of sseRoutes(a, aJob)) {
      const { response } = await openStream(path, token);
      expect(response.status, path).toBe(200);
      expect(response.headers.get("content-type")).toMatch(/^text\/event-stream/);
    }
    const response = await h.request("GET", withToken(`${jobPath(a.companyId, aJob)}/events`, token));
    const { events } = await readSse(response, { until: () => true, timeoutMs: 5_000 });
    expect(events[0]).toMatchObject({ event: "content_job.status", data: { jobId: aJob } });
  });

  it("another company's SSE routes → 403", async () => {
    const { token } = await mint(a);
    for (const path of sseRoutes(b, bJob)) {
      await expectProblem((await openStream(path, token)).response, 403);
    }
  });

  it("another company's job under the token's own company → 404", async () => {
    const { token } = await mint(a);
    await expectProblem((await openStream(`${jobPath(a.companyId, bJob)}/events`, token)).response, 404);
  });

  it("tampered, forged, expired or garbage tokens → 401", async () => {
    const { token } = await mint(a);
    const [payload, signature] = token.split(".") as [string, string];
    const flipped = `${signature.slice(0, -2)}${signature.endsWith("AA") ? "BB" : "AA"}`;
    // Tokens are `kst_<payload>.<signature>`: another company's payload under A's signature.
    const forgedPayload = `kst_${Buffer.from(JSON.stringify({ c: b.companyId, e: Date.now() + 60_000 })).toString("base64url")}`;
    const expired = tokensAt(Date.now() - 301_000).mint({ companyId: a.companyId, keyId: a.keyId }).token;
    const wrongSecret = tokensAt(Date.now(), "x".repeat(64)).mint({
      companyId: a.companyId,
      keyId: a.keyId,
    }).token;
    for (const bad of [
      `${payload}.${flipped}`,
      `${forgedPayload}.${signature}`,
      expired,
      wrongSecret,
      "kst_",
      "nonsense",
      payload,
    ]) {
      for (const path of [...sseRoutes(a, aJob), ...sseRoutes(b, bJob)]) {
        await expectProblem((await openStream(path, bad)).response, 401);
      }
    }
  });

  it("a token that is still valid for a moment works; signed as the API signs it", async () => {
    const nearlyExpired = tokensAt(Date.now() - 290_000).mint({
      companyId: a.companyId,
      keyId: a.keyId,
    }).token;
    expect((await openStream(`/api/companies/${a.companyId}/events`, nearlyExpired)).response.status).toBe(
      200,
    );
  });
});

describe("a stream token is no API key", () => {
  it("as a bearer key → 401 on every route, SSE ones included", async () => {
    const { token } = await mint(a);
    const routes: [string, string, unknown?][] = [
      ["GET", jobsPath(a.companyId)],
      ["POST", jobsPath(a.companyId), { jobType: "canary", input: canaryInput }],
      ["GET", jobPath(a.companyId, aJob)],
      ["POST", `${jobPath(a.companyId, aJob)}/cancel`],
      ["GET", `${jobPath(a.companyId, aJob)}/events`],
      ["GET", `/api/companies/${a.companyId}/events`],
    ];
    for (const [method, path, body] of routes) {
      await expectProblem(await h.request(method, path, { key: token, body }), 401);
    }
  });

  it("as ?access_token= on routes that are not SSE → 401", async () => {
    const { token } = await mint(a);
    const routes: [string, string, unknown?][] = [
      ["GET", jobsPath(a.companyId)],
      ["POST", jobsPath(a.companyId), { jobType: "canary", input: canaryInput }],
      ["GET", jobPath(a.companyId, aJob)],
      ["POST", `${jobPath(a.companyId, aJob)}/cancel`],
      ["POST", `${jobPath(a.companyId, aJob)}/retry`],
      ["GET", `${jobPath(a.companyId, aJob)}/artifacts/canary.json`],
      ["POST", "/api/companies", { name: "X" }],
    ];
    for (const [method, path, body] of routes) {
      await expectProblem(await h.request(method, withToken(path, token), { body }), 401);
    }
    const job = (await (await h.request("GET", jobPath(a.companyId, aJob), { key: a.key })).json()) as {
      status: string;
    };
    expect(job.status).toBe("queued");
  });

  it("the admin token and API keys are not stream tokens", async () => {
    for (const token of [h.adminToken, a.key]) {
      await expectProblem((await openStream(`/api/companies/${a.companyId}/events`, token)).response, 401);
    }
  });
});
