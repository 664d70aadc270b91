import { createHmac } from "node:crypto";
import { readSse } from "@kiln/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createStreamTokens } from "../../src/auth/stream-tokens.ts";
import { tokenExpiredRetryMs } from "../../src/sse/open-event-stream.ts";
import { createTestHarness, type TestHarness } from "../../src/testing/test-harness.ts";
import { expectProblem, jobPath, submitCanary, type TestCompany } from "../routes/support.ts";

let h: TestHarness;
let acme: TestCompany;
let jobId: string;

beforeAll(async () => {
  h = await createTestHarness();
  acme = await h.createCompany("Acme");
  jobId = await submitCanary(h, acme);
});
afterAll(() => h?.close());

/**
 * A token as the API mints it, but at a clock set back so it has only `remainingMs` to live:
 * the stream's end comes without waiting out a real TTL.
 */
const tokenExpiringIn = (remainingMs: number) => {
  const secret = createHmac("sha256", h.adminToken).update("kiln-stream-tokens").digest("hex");
  const ttlSeconds = 300;
  const tokens = createStreamTokens({
    secret,
    ttlSeconds,
    now: () => Date.now() - ttlSeconds * 1000 + remainingMs,
  });
  return tokens.mint({ companyId: acme.companyId, keyId: acme.keyId });
};

const withToken = (path: string, token: string) => `${path}?access_token=${encodeURIComponent(token)}`;

describe("a stream opened with a token", () => {
  it("ends when the token expires, with a retry: hint; the token then opens nothing (401)", async () => {
    const { token, expiresAt } = tokenExpiringIn(1_500);
    const paths = [`${jobPath(acme.companyId, jobId)}/events`, `/api/companies/${acme.companyId}/events`];
    const responses = await Promise.all(paths.map((path) => h.request("GET", withToken(path, token))));
    for (const response of responses) expect(response.status).toBe(200);
    // A stream opened with the key header at the same moment is not bounded by any token.
    const byHeader = await h.request("GET", `/api/companies/${acme.companyId}/events`, { key: acme.key });
    expect(byHeader.status).toBe(200);

    const streams = await Promise.all(responses.map((response) => readSse(response, { timeoutMs: 10_000 })));
    expect(Date.now()).toBeGreaterThanOrEqual(Date.parse(expiresAt));
    for (const stream of streams) {
      expect(stream.ended).toBe(true);
      expect(stream.retries).toEqual([tokenExpiredRetryMs]);
      expect(stream.comments).toContain("closed: the stream token expired");
    }
    expect(streams[0]!.events.map((event) => event.event)).toEqual(["content_job.status"]);
    expect(h.services.sse.size()).toBe(1);

    // What the browser's reconnect meets: a 401, which stops EventSource so the page mints a new token.
    for (const path of paths) await expectProblem(await h.request("GET", withToken(path, token)), 401);
    await byHeader.body?.cancel();
  });
});
