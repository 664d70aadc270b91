import { afterAll, beforeAll, expect, it } from "vitest";
import { createTestHarness, type TestHarness } from "../../src/testing/test-harness.ts";

let h: TestHarness;
let company: { companyId: string; key: string };
beforeAll(async () => {
  h = await createTestHarness();
  company = await h.createCompany();
}, 60_000);
afterAll(() => h?.close());

it("SIGTERM: the API ends its SSE streams with a retry hint, stops accepting, exits 0 — and never logged a secret", async () => {
  const api = await h.startApi({ LOG_LEVEL: "debug" });
  const auth = { authorization: `Bearer ${company.key}` };
  const minted = await fetch(`${api.baseUrl}/api/companies/${company.companyId}/stream-tokens`, {
    method: "POST",
    headers: auth,
  });
  const { token } = (await minted.json()) as { token: string };

  const stream = await fetch(
    `${api.baseUrl}/api/companies/${company.companyId}/events?access_token=${token}`,
  );
  expect(stream.status).toBe(200);
  const reader = stream.body!.getReader();
  await reader.read();

  const exited = api.process.stop("SIGTERM");
  let text = "";
  const decoder = new TextDecoder();
  for (;;) {
    const result = await reader.read().catch(() => ({ done: true as const, value: undefined }));
    if (result.done) break;
    text += decoder.decode(result.value);
  }
  expect(text).toMatch(/^retry: \d+$/m);
  expect(await exited).toBe(0);
  await expect(fetch(`${api.baseUrl}/healthz`)).rejects.toThrow();

  const logs = api.process.output();
  expect(logs).toContain('"msg":"request"');
  expect(logs).not.toContain(company.key);
  expect(logs).not.toContain(token);
  expect(logs).not.toContain(h.adminToken);
}, 40_000);
