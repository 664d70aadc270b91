import { describe, expect, it } from "vitest";
import { eventKeys } from "./events/event-keys.ts";
import { fairLineKeys } from "./fair/fair-lines.ts";
import { queueNameOf, queuePrefixOf } from "./job-queues.ts";

/** What Redis Cluster hashes: between the first `{` and the next `}`, when not empty; else the key. */
const slotNameOf = (key: string): string => {
  const open = key.indexOf("{");
  const close = open < 0 ? -1 : key.indexOf("}", open + 1);
  return close > open + 1 ? key.slice(open + 1, close) : key;
};

const companyId = "6f1c2d3e-0000-4000-8000-000000000001";
const jobId = "6f1c2d3e-0000-4000-8000-0000000000aa";

describe("hash tags of Kiln's keys", () => {
  it("a company's streams and live channel hash by the company, after the plain prefix", () => {
    const keys = eventKeys("kiln");
    expect(keys.companyStream(companyId)).toBe(`kiln:events:{${companyId}}:company`);
    expect(keys.jobStream(companyId, jobId)).toBe(`kiln:events:{${companyId}}:job:${jobId}`);
    expect(keys.companyChannel(companyId)).toBe(`kiln:events:{${companyId}}:live`);
    for (const key of [
      keys.companyStream(companyId),
      keys.jobStream(companyId, jobId),
      keys.companyChannel(companyId),
    ]) {
      expect(slotNameOf(key)).toBe(companyId);
    }
    expect(slotNameOf(keys.companyStream("another"))).toBe("another");
  });

  it("a job type's BullMQ keys and fair lines hash by the job type, and no other's do", () => {
    const bullmqKey = (jobType: string, suffix: string) =>
      `${queuePrefixOf("kiln", jobType)}:${queueNameOf(jobType)}:${suffix}`;
    expect(queuePrefixOf("kiln", "document.pdf")).toBe("kiln:{jobs.document.pdf}");
    expect(bullmqKey("document.pdf", "wait")).toBe("kiln:{jobs.document.pdf}:jobs.document.pdf:wait");
    const lines = fairLineKeys("kiln", "document.pdf");
    expect(lines.ring).toBe("kiln:{jobs.document.pdf}:fair:ring");
    const everyKey = [
      ...Object.values(lines),
      `${lines.linePrefix}${companyId}`,
      `${lines.inflightPrefix}${companyId}`,
      ...["wait", "prioritized", "active", "marker", "meta", "id", "events", "stalled"].map((suffix) =>
        bullmqKey("document.pdf", suffix),
      ),
    ];
    for (const key of everyKey) expect(slotNameOf(key), key).toBe("jobs.document.pdf");
    expect(slotNameOf(fairLineKeys("kiln", "canary").ring)).toBe("jobs.canary");
    expect(slotNameOf(bullmqKey("canary", "wait"))).toBe("jobs.canary");
  });
});
