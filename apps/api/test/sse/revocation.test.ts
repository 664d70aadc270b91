import { readSse, type SseEvent, waitUntil } from "@kiln/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestHarness, type TestHarness } from "../../src/testing/test-harness.ts";
import { expectProblem, jobPath, submitCanary, type TestCompany } from "../routes/support.ts";

type Instance = Pick<TestHarness, "request" | "services">;

let h: TestHarness;
let first: Instance;
let second: Instance;
let acme: TestCompany;
/** Another key of the same company: its streams must outlive the revocation. */
let spare: TestCompany;
let jobId: string;
/** Stream tokens minted with `acme.key` before it was revoked, one per instance. */
const tokens: string[] = [];

beforeAll(async () => {
  h = await createTestHarness();
  first = h;
  // A second API instance: its own connections, subscriber and streams; same database and Redis prefix.
  second = await h.addApiInstance();
  acme = await h.createCompany("Acme");
  const created = await h.admin("POST", `/api/companies/${acme.companyId}/api-keys`, { name: "spare" });
  spare = { ...acme, key: ((await created.json()) as { key: string }).key };
  jobId = await submitCanary(h, acme);
});
afterAll(() => h?.close());

const mintWith = async (instance: Instance, key: string) => {
  const response = await instance.request("POST", `/api/companies/${acme.companyId}/stream-tokens`, { key });
  expect(response.status).toBe(201);
  return ((await response.json()) as { token: string }).token;
};

const jobEvents = () => `${jobPath(acme.companyId, jobId)}/events`;
const companyEvents = () => `/api/companies/${acme.companyId}/events`;
const withToken = (path: string, token: string) => `${path}?access_token=${encodeURIComponent(token)}`;

/** Job streams whose snapshot has arrived: a revocation must find them past it. */
let snapshotsSeen = 0;

/** Opens a stream (200) and reads it in the background until it ends, `until` holds, or 10 s pass. */
const follow = async (
  instance: Instance,
  path: string,
  key?: string,
  until?: (event: SseEvent) => boolean,
) => {
  const response = await instance.request("GET", path, { key });
  expect(response.status, path).toBe(200);
  const onEvent = (event: SseEvent) => {
    if (event.event === "content_job.status" && path.includes("/content-jobs/")) snapshotsSeen++;
  };
  return { reading: readSse(response, { until, onEvent, timeoutMs: 10_000 }) };
};

describe("revoking a key", () => {
  it("ends every stream it opened, by header or through a token it minted, on every instance", async () => {
    const revoked: ReturnType<typeof readSse>[] = [];
    for (const instance of [first, second]) {
      const token = await mintWith(instance, acme.key);
      tokens.push(token);
      for (const path of [jobEvents(), companyEvents()]) {
        revoked.push((await follow(instance, path, acme.key)).reading);
        revoked.push((await follow(instance, withToken(path, token))).reading);
      }
    }
    const created = (event: SseEvent) => event.event === "content_job.created";
    const spared = [
      (await follow(first, companyEvents(), spare.key, created)).reading,
      (
        await follow(
          second,
          withToken(companyEvents(), await mintWith(second, spare.key)),
          undefined,
          created,
        )
      ).reading,
    ];
    await waitUntil(
      () => first.services.sse.size() === 5 && second.services.sse.size() === 5,
      5_000,
      "five streams on each instance",
    );
    // Registered is not yet written to: wait for the four job streams' snapshots.
    await waitUntil(() => snapshotsSeen >= 4, 5_000, "the four job streams' snapshots");

    // Sent to the first instance only; the second hears it through Redis.
    const revokedAt = Date.now();
    const response = await h.admin("DELETE", `/api/companies/${acme.companyId}/api-keys/${acme.keyId}`);
    expect(response.status).toBe(204);
    const ended = await Promise.all(revoked);
    expect(Date.now() - revokedAt).toBeLessThan(5_000);
    for (const stream of ended) {
      expect(stream.ended).toBe(true);
      expect(stream.comments).toContain("closed: the credentials were revoked");
    }
    // The job streams had sent their snapshot, and nothing after the revocation.
    expect(ended.filter((stream) => stream.events.length > 0)).toHaveLength(4);
    for (const stream of ended) {
      expect(
        stream.events.map((event) => event.event).filter((type) => type !== "content_job.status"),
      ).toEqual([]);
    }

    // The other key's streams, on both instances, are still open and live.
    expect(first.services.sse.size()).toBe(1);
    expect(second.services.sse.size()).toBe(1);
    const next = await submitCanary(h, spare);
    for (const stream of await Promise.all(spared)) {
      expect(stream.events.map((event) => [event.event, event.data.jobId])).toEqual([
        ["content_job.created", next],
      ]);
    }
  });

  it("its key and the tokens it minted open no new stream on any instance: 401", async () => {
    expect(tokens).toHaveLength(2);
    for (const instance of [first, second]) {
      for (const path of [jobEvents(), companyEvents()]) {
        await expectProblem(await instance.request("GET", path, { key: acme.key }), 401);
        for (const token of tokens) {
          await expectProblem(await instance.request("GET", withToken(path, token)), 401);
        }
      }
      await expectProblem(
        await instance.request("POST", `/api/companies/${acme.companyId}/stream-tokens`, { key: acme.key }),
        401,
      );
    }
    // The company's other key still mints tokens that open streams.
    const token = await mintWith(second, spare.key);
    const response = await first.request("GET", withToken(jobEvents(), token));
    expect(response.status).toBe(200);
    const { events } = await readSse(response, { until: () => true, timeoutMs: 5_000 });
    expect(events[0]).toMatchObject({ event: "content_job.status", data: { jobId } });
  });
});
