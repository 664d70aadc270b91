import { createTestHarness, type TestHarness } from "@kiln/api/testing";
import { waitUntil } from "@kiln/testkit";
import { afterAll, beforeAll, expect, it } from "vitest";
import { KilnApiError } from "../errors.ts";
import { createKilnClient } from "../kiln-client.ts";

let h: TestHarness;
beforeAll(async () => {
  h = await createTestHarness();
});
afterAll(() => h?.close());

it("a followed stream whose key is revoked ends, and the reconnect's 401 stops the client: no retry loop", async () => {
  const company = await h.createCompany();
  const streamsOpened: number[] = [];
  const client = createKilnClient({
    baseUrl: "http://kiln.test",
    apiKey: company.key,
    companyId: company.companyId,
    // The in-process API serves the client's requests.
    fetch: (input, init) => {
      if (String(input).includes("/events")) streamsOpened.push(Date.now());
      return Promise.resolve(h.app.fetch(new Request(input, init)));
    },
  });
  const following = (async () => {
    for await (const _event of client.followCompany({ reconnect: { initialDelayMs: 50, maxAttempts: 60 } })) {
      // No job is submitted: the revocation is the only thing that happens on this stream.
    }
  })();
  await waitUntil(() => h.services.sse.size() > 0, 5_000, "the company stream open");
  expect(h.services.sse.size()).toBe(1);

  expect(
    (await h.admin("DELETE", `/api/companies/${company.companyId}/api-keys/${company.keyId}`)).status,
  ).toBe(204);
  const error = await following.then(
    () => null,
    (thrown: unknown) => thrown,
  );
  expect(error).toBeInstanceOf(KilnApiError);
  expect((error as KilnApiError).status).toBe(401);
  // The stream it had, and one reconnect that met the 401.
  expect(streamsOpened).toHaveLength(2);
});
