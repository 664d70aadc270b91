import { createHmac } from "node:crypto";
import { readSse } from "@kiln/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestHarness, type TestHarness } from "../../src/testing/test-harness.ts";
import { expectProblem, jobPath, submitCanary, type TestCompany } from "./support.ts";

let h: TestHarness;
let a: TestCompany;
let aJob: string;
let token: string;

beforeAll(async () => {
  h = await createTestHarness();
  a = await h.createCompany("A");
  aJob = await submitCanary(h, a);
  const minted = await h.request("POST", `/api/companies/${a.companyId}/stream-tokens`, { key: a.key });
  token = ((await minted.json()) as { token: string }).token;
});
afterAll(() => h?.close());

const sseRoutes = () => [`${jobPath(a.companyId, aJob)}/events`, `/api/companies/${a.companyId}/events`];
const open = (path: string, accessToken: string) =>
  h.request("GET", `${path}?access_token=${encodeURIComponent(accessToken)}`);

/** Signs a payload as the API does (its secret derives from the admin token). */
const signed = (claims: unknown) => {
  const payload = Buffer.from(JSON.stringify(claims)).toString("base64url");
  const secret = createHmac("sha256", h.adminToken).update("kiln-stream-tokens").digest("hex");
  return `kst_${payload}.${createHmac("sha256", secret).update(payload).digest("base64url")}`;
};

describe("a stream token is exactly kst_<base64url payload>.<base64url signature>", () => {
  it("a minted token has that shape and opens both SSE routes", async () => {
    expect(token).toMatch(/^kst_[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{43}$/);
    for (const path of sseRoutes()) {
      const response = await open(path, token);
      expect(response.status, path).toBe(200);
      if (path.includes("content-jobs")) {
        const { events } = await readSse(response, { until: () => true, timeoutMs: 5_000 });
        expect(events[0]).toMatchObject({ event: "content_job.status", data: { jobId: aJob } });
      } else {
        await response.body?.cancel();
      }
    }
  });

  it("extra segments, characters outside base64url, padding, whitespace or excess length → 401", async () => {
    const [payload = "", signature = ""] = token.slice("kst_".length).split(".");
    const bad = [
      `${token}.`,
      `${token}.x`,
      `${token}.${signature}`,
      `kst_${payload}..${signature}`,
      `kst_.${payload}.${signature}`,
      `kst_${payload}=.${signature}`,
      `${token}=`,
      `kst_${payload}.${signature.slice(0, -1)}+`,
      `kst_${payload}.${signature.slice(0, -1)}/`,
      `kst_${payload.slice(0, 10)}+${payload.slice(11)}.${signature}`,
      ` ${token}`,
      `${token} `,
      `${token}\n`,
      `KST_${payload}.${signature}`,
      `kst_${payload}.${signature}A`,
      `kst_${payload}.${signature.slice(0, -1)}`,
      `kst_${payload}${"A".repeat(600)}.${signature}`,
      `${token}${"A".repeat(5_000)}`,
      `kst_${"A".repeat(100_000)}.${signature}`,
      `kst_${payload}.${signature}é`,
    ];
    for (const candidate of bad) {
      for (const path of sseRoutes()) await expectProblem(await open(path, candidate), 401);
    }
  });

  it("a correctly signed payload without the minting key, with a key of no use, or claims typed wrong → 401", async () => {
    const expiresAtMs = Date.now() + 60_000;
    const other = await h.createCompany("B");
    for (const claims of [
      // Another company's key, though active, cannot stand for A.
      { c: a.companyId, k: other.keyId, e: expiresAtMs },
      { c: a.companyId, e: expiresAtMs },
      { c: a.companyId, k: 42, e: expiresAtMs },
      { c: a.companyId, k: a.keyId, e: String(expiresAtMs) },
      { c: a.companyId, k: "00000000-0000-4000-8000-000000000000", e: expiresAtMs },
      [a.companyId, a.keyId, expiresAtMs],
      null,
    ]) {
      for (const path of sseRoutes()) await expectProblem(await open(path, signed(claims)), 401);
    }
    // The same signing with the real key works: the refusals above are about the claims.
    const response = await open(sseRoutes()[1]!, signed({ c: a.companyId, k: a.keyId, e: expiresAtMs }));
    expect(response.status).toBe(200);
    await response.body?.cancel();
  });
});
