import { describe, expect, it } from "vitest";
import {
  boundArtifactMetadata,
  boundJobError,
  eventSizeLimits,
  jsonBytes,
  maxEventDataBytes,
  truncateText,
} from "./event-size.ts";
import { boundJobEvent, type NewJobEvent } from "./events.ts";
import type { Job } from "./job.ts";
import { toJobSummary } from "./job-summary.ts";

const textBytes = (text: string) => jsonBytes(text) - 2;

const job = (overrides: Partial<Job> = {}): Job => ({
  id: "3f9c0b8e-0000-4000-8000-000000000001",
  companyId: "3f9c0b8e-0000-4000-8000-000000000002",
  jobType: "markdown.html",
  status: "done",
  progress: 100,
  stage: "done",
  input: { markdown: "x".repeat(490_000) },
  sourceTaskId: null,
  priority: 0,
  attempts: 1,
  maxAttempts: 3,
  artifacts: [],
  error: null,
  createdAt: "2026-12-02T04:00:00.000Z",
  startedAt: "2026-12-02T04:00:00.000Z",
  finishedAt: "2026-12-02T04:00:01.000Z",
  updatedAt: "2026-12-02T04:00:01.000Z",
  ...overrides,
});

describe("truncateText", () => {
  it("keeps a text that fits, whole", () => {
    expect(truncateText("hello", 5)).toBe("hello");
    expect(truncateText("é".repeat(10), 20)).toBe("é".repeat(10));
  });

  it.each([
    ["ASCII", "a".repeat(5000)],
    ["multi-byte", "é€".repeat(3000)],
    ["escaped control characters", "\u0001".repeat(3000)],
    ["astral characters", "😀".repeat(3000)],
    ["lone surrogates", "\ud800".repeat(3000)],
  ])("cuts %s to the byte budget of its JSON encoding, ending with …", (_, text) => {
    const cut = truncateText(text, 1024);
    expect(textBytes(cut)).toBeLessThanOrEqual(1024);
    expect(textBytes(cut)).toBeGreaterThan(1024 - 10);
    expect(cut.endsWith("…")).toBe(true);
    expect(text.startsWith(cut.slice(0, -1))).toBe(true);
    expect(truncateText(cut, 1024)).toBe(cut);
  });

  it("never splits a surrogate pair", () => {
    const cut = truncateText(`a${"😀".repeat(100)}`, 12);
    expect(cut).toBe("a😀😀…");
  });
});

describe("boundArtifactMetadata", () => {
  it("leaves metadata within the limit untouched", () => {
    const metadata = { pageCount: 3, blockedRequests: ["http://a.example/"] };
    expect(boundArtifactMetadata(metadata)).toBe(metadata);
  });

  it("cuts arrays to what fits and marks the metadata truncated", () => {
    const urls = Array.from(
      { length: 100 },
      (_, index) => `https://tracker.example/${index}/${"p".repeat(480)}`,
    );
    const metadata = { pageCount: 3, format: "A4", blockedRequests: urls };
    expect(jsonBytes(metadata)).toBeGreaterThan(40_000);
    const bounded = boundArtifactMetadata(metadata);
    expect(jsonBytes(bounded)).toBeLessThanOrEqual(eventSizeLimits.artifactMetadataBytes);
    expect(bounded).toMatchObject({ pageCount: 3, format: "A4", truncated: true });
    const kept = bounded.blockedRequests as string[];
    expect(kept.length).toBeGreaterThan(0);
    expect(kept).toEqual(urls.slice(0, kept.length));
    expect(boundArtifactMetadata(bounded)).toBe(bounded);
  });

  it("drops a field that cannot fit at all", () => {
    const bounded = boundArtifactMetadata({ width: 10, svgSource: "<svg>".repeat(2000) });
    expect(bounded).toEqual({ width: 10, truncated: true });
  });
});

describe("toJobSummary", () => {
  it("is the Job without input, its error message cut", () => {
    const whole = job({ status: "failed", error: { code: "boom", message: "m".repeat(100_000) } });
    const summary = toJobSummary(whole);
    expect("input" in summary).toBe(false);
    const { input: _input, error: _error, ...rest } = whole;
    expect(summary).toMatchObject(rest);
    expect(textBytes(summary.error!.message)).toBeLessThanOrEqual(eventSizeLimits.errorMessageBytes);
  });
});

describe("the largest event the limits allow", () => {
  // Everything a tenant or a renderer can fill, at its maximum.
  const worst = job({
    stage: "s".repeat(10_000),
    sourceTaskId: "\u0001".repeat(200),
    error: { code: "c".repeat(1000), message: "\u0001".repeat(100_000) },
    artifacts: Array.from({ length: eventSizeLimits.artifactsPerJob }, (_, index) => {
      const name = `${index}${"n".repeat(127)}`;
      return {
        name,
        contentType: "application/vnd.kiln.artifact+json; charset=utf-8",
        size: Number.MAX_SAFE_INTEGER,
        sha256: "f".repeat(64),
        url: `/api/companies/3f9c0b8e-0000-4000-8000-000000000002/content-jobs/3f9c0b8e-0000-4000-8000-000000000001/artifacts/${name}`,
        metadata: {
          headings: Array.from({ length: 1000 }, () => ({ depth: 1, text: "\u0001".repeat(200) })),
        },
      };
    }),
  });
  const base = { jobId: worst.id, companyId: worst.companyId };
  // Without input, but none of its other fields bounded yet: what a careless publisher could pass.
  const unbounded = { ...worst, input: undefined };
  const events: NewJobEvent[] = [
    { type: "content_job.started", data: { ...base, attempt: 10, job: unbounded } },
    { type: "content_job.done", data: { ...base, job: unbounded } },
    {
      type: "content_job.progress",
      data: { ...base, progress: 99, stage: "s".repeat(10_000), message: "\u0001".repeat(10_000) },
    },
    {
      type: "content_job.retrying",
      data: { ...base, attempt: 10, error: worst.error!, delayMs: 1_000_000 },
    },
  ];

  it.each(events.map((event) => [event.type, event] as const))(
    "%s stays under maxEventDataBytes once the event log has bounded it",
    (_, event) => {
      expect(jsonBytes(event.data)).toBeGreaterThan(maxEventDataBytes);
      const bounded = boundJobEvent(event);
      expect(jsonBytes(bounded.data)).toBeLessThanOrEqual(maxEventDataBytes);
      expect(boundJobEvent(bounded)).toEqual(bounded);
    },
  );

  it("a whole Job handed to the log anyway loses its input", () => {
    const bounded = boundJobEvent({
      type: "content_job.done",
      data: { ...base, job: job() as never },
    });
    expect(bounded.data).not.toHaveProperty("job.input");
    expect(jsonBytes(bounded.data)).toBeLessThan(2048);
  });

  it("error bounds are idempotent", () => {
    const error = boundJobError({ code: "x", message: "y".repeat(5000) });
    expect(boundJobError(error)).toEqual(error);
  });
});
