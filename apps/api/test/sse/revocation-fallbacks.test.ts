import { silentLogger } from "@kiln/core";
import { createRedisConnection } from "@kiln/queue";
import { readSse } from "@kiln/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { closeRevokedStreams } from "../../src/sse/close-revoked-streams.ts";
import { createTestHarness, type TestHarness, testRedisUrl } from "../../src/testing/test-harness.ts";

let h: TestHarness;
beforeAll(async () => {
  h = await createTestHarness();
});
afterAll(() => h?.close());

const openCompanyStream = async (company: { companyId: string; key: string }) => {
  const response = await h.request("GET", `/api/companies/${company.companyId}/events`, { key: company.key });
  expect(response.status).toBe(200);
  return { reading: readSse(response, { timeoutMs: 10_000 }) };
};

describe("revocation without the broadcast", () => {
  it("a revocation the broadcast never carried is found by the periodic check of open streams' keys", async () => {
    const company = await h.createCompany("Missed");
    const { reading } = await openCompanyStream(company);
    // Revoked in PostgreSQL only, as if Redis had been unreachable for the broadcast.
    expect(await h.services.companies.revokeApiKey(company.companyId, company.keyId)).toBe(true);
    const subscriber = createRedisConnection({ url: testRedisUrl, blocking: true });
    const watch = closeRevokedStreams({
      subscriber,
      prefix: `${h.prefix}-sweep`,
      sse: h.services.sse,
      companies: h.services.companies,
      logger: silentLogger,
      sweepMs: 100,
    });
    try {
      const stream = await reading;
      expect(stream.ended).toBe(true);
      expect(stream.comments).toContain("closed: the credentials were revoked");
    } finally {
      await watch.close();
      subscriber.disconnect();
    }
  });

  it("a stream authenticated just before the revocation but registered after it is ended at once", async () => {
    const company = await h.createCompany("Late");
    // The broadcast reached this instance first; the key still reads as active in PostgreSQL here.
    await h.services.sse.closeByKey(company.keyId);
    const stream = await (await openCompanyStream(company)).reading;
    expect(stream.ended).toBe(true);
    expect(stream.comments).toContain("closed: the credentials were revoked");
    expect(h.services.sse.size()).toBe(0);
  });
});
