import { waitUntil } from "@kiln/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestHarness, type TestHarness } from "../../src/testing/test-harness.ts";

let h: TestHarness;
beforeAll(async () => {
  h = await createTestHarness({ env: { KILN_SSE_CONCURRENT_OPENS: "8" } });
});
afterAll(() => h?.close());

/** Opens a company stream; resolves with the response once its open is done (its head is ready). */
const openStream = (company: { companyId: string; key: string }) =>
  h.request("GET", `/api/companies/${company.companyId}/events`, { key: company.key });

describe("stream opens take turns between companies", () => {
  it("opens another company's stream next, not after a company's burst of reconnects", async () => {
    const flooding = await h.createCompany();
    const quiet = await h.createCompany();
    // Both keys checked once first: every open below then finds its key in the instance's cache,
    // so the quiet company's open reaches its turn as soon as it arrives.
    for (const warm of await Promise.all([openStream(flooding), openStream(quiet)]))
      await warm.body?.cancel();
    const order: string[] = [];
    const burst = Array.from({ length: 300 }, (_, index) =>
      openStream(flooding).then((response) => {
        order.push(`flood-${index}`);
        return response;
      }),
    );
    // Arrives while the burst's opens are queued for their turns.
    const quietOpen = openStream(quiet).then((response) => {
      order.push("quiet");
      return response;
    });
    const responses = await Promise.all([...burst, quietOpen]);
    expect(responses.map((response) => response.status)).toEqual(Array(301).fill(200));
    // With 8 opens at a time and companies in turn, the quiet company's open is among the first
    // ~16 done; first come, first served puts it last, behind the whole burst (measured: 300).
    expect(order.indexOf("quiet")).toBeLessThan(30);
    await Promise.all(responses.map((response) => response.body?.cancel()));
  });

  it("counts the opens waiting for a turn in kiln_sse_opens_waiting", async () => {
    const company = await h.createCompany();
    const waitingGauge = async () => {
      const text = await (await h.request("GET", "/metrics")).text();
      return Number(/^kiln_sse_opens_waiting (\S+)$/m.exec(text)?.[1]);
    };
    const gate = h.services.streamOpens;
    // Every turn taken (as 8 opens under way would), so the next opens wait.
    await Promise.all(Array.from({ length: gate.limit }, () => gate.acquire("elsewhere")));
    const opens = [openStream(company), openStream(company), openStream(company)];
    await waitUntil(async () => (await waitingGauge()) === 3, 5_000, "three opens waiting");
    for (let turn = 0; turn < gate.limit; turn++) gate.release();
    for (const response of await Promise.all(opens)) {
      expect(response.status).toBe(200);
      await response.body?.cancel();
    }
    expect(await waitingGauge()).toBe(0);
  });
});
