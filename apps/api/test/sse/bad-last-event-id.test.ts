import type { Logger } from "@kiln/core";
import { readSse } from "@kiln/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestHarness, type TestHarness } from "../../src/testing/test-harness.ts";
import { jobPath, submitCanary, type TestCompany } from "../routes/support.ts";

/** Everything the API logs at warn or error level. */
const logged: { level: string; entry: unknown }[] = [];
const recordingLogger = (): Logger => ({
  debug() {},
  info() {},
  warn: (entry, msg) => void logged.push({ level: "warn", entry: msg ?? entry }),
  error: (entry, msg) => void logged.push({ level: "error", entry: msg ?? entry }),
  child: () => recordingLogger(),
});

let h: TestHarness;
let acme: TestCompany;
let jobId: string;

beforeAll(async () => {
  h = await createTestHarness({ logger: recordingLogger() });
  acme = await h.createCompany("Acme");
  // A queued job (no worker): its stream stays open after the snapshot, and the company has an active job.
  jobId = await submitCanary(h, acme);
});
afterAll(() => h?.close());

/** Ids no event of these streams can carry: malformed, past 64 bits, negative, huge, or in the future. */
const badIds = [
  "99999999999999999999-0",
  "1-99999999999999999999",
  "18446744073709551616-0",
  "18446744073709551615-18446744073709551615",
  "99999999999999-0",
  "-1-0",
  "1--1",
  "1e5-0",
  "abc",
  "42",
  "0x10-0",
  "9".repeat(500),
  `${"1".repeat(20)}-${"1".repeat(20)}`,
];

const firstEventOf = async (path: string, headers: Record<string, string>) => {
  const response = await h.request("GET", path, { key: acme.key, headers });
  expect(response.status).toBe(200);
  const { events } = await readSse(response, { until: () => true, timeoutMs: 5_000 });
  return events[0];
};

describe("a Last-Event-ID that names no event is ignored: the stream starts with the snapshot", () => {
  for (const [route, path] of [
    ["job stream", () => `${jobPath(acme.companyId, jobId)}/events`],
    ["company stream", () => `/api/companies/${acme.companyId}/events`],
  ] as const) {
    it(`${route}: header and ?lastEventId=, no error logged`, async () => {
      for (const bad of badIds) {
        for (const [query, headers] of [
          ["", { "last-event-id": bad }],
          [`?lastEventId=${encodeURIComponent(bad)}`, {}],
        ] as [string, Record<string, string>][]) {
          const first = await firstEventOf(`${path()}${query}`, headers);
          expect(first, `${route} ${bad} ${query ? "query" : "header"}`).toMatchObject({
            event: "content_job.status",
            data: { jobId, companyId: acme.companyId, job: { id: jobId, status: "queued" } },
          });
        }
      }
      expect(logged).toEqual([]);
    });
  }

  it("a well-formed id of an event the stream sent still resumes after it (no snapshot)", async () => {
    const other = await submitCanary(h, acme);
    // A job's snapshot carries the id of its newest event: here `content_job.created`, in both streams.
    const snapshot = await firstEventOf(`${jobPath(acme.companyId, other)}/events`, {});
    expect(snapshot?.event).toBe("content_job.status");
    // Leading zeros name the same event.
    const resumed = await h.request("GET", `/api/companies/${acme.companyId}/events`, {
      key: acme.key,
      headers: { "last-event-id": `00${snapshot!.id}` },
    });
    const reading = readSse(resumed, { until: () => true, timeoutMs: 5_000 });
    const third = await submitCanary(h, acme);
    const { events } = await reading;
    expect(events.map((event) => [event.event, event.data.jobId])).toEqual([["content_job.created", third]]);
    expect(logged).toEqual([]);
  });
});
