import { createPrismaClient } from "@kiln/db";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestHarness, type TestHarness } from "../../src/testing/test-harness.ts";
import {
  canaryInput,
  expectProblem,
  jobSummaryFields,
  jobsPath,
  submitCanary,
  type TestCompany,
} from "./support.ts";

interface ListedJob {
  id: string;
  jobType: string;
  status: string;
  sourceTaskId: string | null;
  createdAt: string;
}
interface Page {
  items: ListedJob[];
  nextCursor: string | null;
}

let h: TestHarness;
let acme: TestCompany;
let other: TestCompany;
const submitted: { id: string; jobType: string; sourceTaskId: string | null }[] = [];
const cancelled = new Set<string>();

beforeAll(async () => {
  h = await createTestHarness();
  acme = await h.createCompany("Acme");
  other = await h.createCompany("Other");
  // 56 jobs: three job-type/source-task groups, in batches so several share a millisecond.
  for (let batch = 0; batch < 7; batch++) {
    const ids = await Promise.all(
      Array.from({ length: 8 }, async (_, index) => {
        const sourceTaskId = index % 3 === 0 ? "task-a" : index % 3 === 1 ? "task-b" : null;
        const jobType = index === 7 ? "image.card" : "canary";
        const body = {
          jobType,
          input: jobType === "canary" ? canaryInput : { title: "Hi" },
          ...(sourceTaskId && { sourceTaskId }),
        };
        const response = await h.request("POST", jobsPath(acme.companyId), { key: acme.key, body });
        expect(response.status).toBe(202);
        return { id: ((await response.json()) as { jobId: string }).jobId, jobType, sourceTaskId };
      }),
    );
    submitted.push(...ids);
  }
  for (const { id } of submitted.filter((_, index) => index % 5 === 0)) {
    expect(
      (await h.request("POST", `${jobsPath(acme.companyId)}/${id}/cancel`, { key: acme.key })).status,
    ).toBe(202);
    cancelled.add(id);
  }
  // Ties on createdAt are the hard case for a cursor: give a third of the jobs one timestamp.
  const prisma = createPrismaClient({ databaseUrl: h.database.url });
  await prisma.$executeRawUnsafe(
    `UPDATE content_jobs SET created_at = '2030-01-01T00:00:00.000Z' WHERE id = ANY($1::uuid[])`,
    submitted.filter((_, index) => index % 3 === 0).map((job) => job.id),
  );
  await prisma.$disconnect();
  await submitCanary(h, other);
}, 60_000);
afterAll(() => h?.close());

const list = async (query: string): Promise<Page> => {
  const response = await h.request("GET", `${jobsPath(acme.companyId)}${query}`, { key: acme.key });
  expect(response.status, await response.clone().text()).toBe(200);
  return (await response.json()) as Page;
};

/** Follows `nextCursor` to the end. */
const walk = async (query: string) => {
  const items: ListedJob[] = [];
  let cursor: string | null = null;
  let pages = 0;
  do {
    const page: Page = await list(`?${query}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`);
    items.push(...page.items);
    cursor = page.nextCursor;
    pages++;
  } while (cursor && pages < 100);
  return { ids: items.map((item) => item.id), pages };
};

/** Newest first; equal createdAt ordered by id, descending, so pages have a total order. */
const expectNewestFirst = (items: ListedJob[]) => {
  for (let index = 1; index < items.length; index++) {
    const [prev, next] = [items[index - 1]!, items[index]!];
    const order = Date.parse(prev.createdAt) - Date.parse(next.createdAt) || (prev.id > next.id ? 1 : -1);
    expect(order, `${prev.createdAt} ${prev.id} before ${next.createdAt} ${next.id}`).toBeGreaterThan(0);
  }
};

describe("GET /api/companies/:companyId/content-jobs", () => {
  it("200 {items, nextCursor}: a default page of 50 job summaries, newest first, only the company's own", async () => {
    const page = await list("");
    expect(Object.keys(page).sort()).toEqual(["items", "nextCursor"]);
    expect(page.items).toHaveLength(50);
    expect(page.nextCursor).toEqual(expect.any(String));
    for (const item of page.items) expect(Object.keys(item).sort()).toEqual(jobSummaryFields);
    expectNewestFirst(page.items);
    const all = await list("?limit=100");
    expect(all.nextCursor).toBeNull();
    expect(all.items.map((item) => item.id).sort()).toEqual(submitted.map((job) => job.id).sort());
    expectNewestFirst(all.items);
    expect(page.items).toEqual(all.items.slice(0, 50));
  });

  it("newest first: a job submitted now comes before older ones", async () => {
    const fresh = await submitCanary(h, other);
    const page = (await (
      await h.request("GET", jobsPath(other.companyId), { key: other.key })
    ).json()) as Page;
    expect(page.items.map((item) => item.id)[0]).toBe(fresh);
    expect(page.items).toHaveLength(2);
  });

  it.each([1, 7, 10, 50])(
    "limit=%i pages through everything: no duplicate, no gap, same order",
    async (limit) => {
      const { ids, pages } = await walk(`limit=${limit}`);
      const all = (await list("?limit=100")).items.map((item) => item.id);
      expect(ids).toEqual(all);
      expect(pages).toBe(Math.ceil(submitted.length / limit));
    },
  );

  it("a last page exactly full has nextCursor null", async () => {
    const page = await list(`?limit=${submitted.length}`);
    expect(page.items).toHaveLength(submitted.length);
    expect(page.nextCursor).toBeNull();
  });

  it("filters by status", async () => {
    const { ids } = await walk("status=cancelled&limit=3");
    expect([...ids].sort()).toEqual([...cancelled].sort());
    const queued = await list("?status=queued&limit=100");
    expect(queued.items.every((item) => item.status === "queued")).toBe(true);
    expect(queued.items).toHaveLength(submitted.length - cancelled.size);
    expect((await list("?status=done")).items).toEqual([]);
  });

  it("filters by jobType", async () => {
    const { ids } = await walk("jobType=image.card&limit=2");
    expect([...ids].sort()).toEqual(
      submitted
        .filter((job) => job.jobType === "image.card")
        .map((job) => job.id)
        .sort(),
    );
    expect((await list("?jobType=video.mp4")).items).toEqual([]);
  });

  it("filters by sourceTaskId, combined with the other filters", async () => {
    const { ids } = await walk("sourceTaskId=task-a&limit=4");
    expect([...ids].sort()).toEqual(
      submitted
        .filter((job) => job.sourceTaskId === "task-a")
        .map((job) => job.id)
        .sort(),
    );
    const combined = await list("?sourceTaskId=task-b&status=cancelled&jobType=canary&limit=100");
    const expected = submitted.filter(
      (job) => job.sourceTaskId === "task-b" && cancelled.has(job.id) && job.jobType === "canary",
    );
    expect(combined.items.map((item) => item.id).sort()).toEqual(expected.map((job) => job.id).sort());
    expect(combined.items.length).toBeGreaterThan(0);
  });

  it("limit accepts 1 and 100", async () => {
    expect((await list("?limit=1")).items).toHaveLength(1);
    expect((await list("?limit=100")).items).toHaveLength(submitted.length);
  });
});

describe("bad queries are 400 problems, never 500", () => {
  const bad = (query: string) => h.request("GET", `${jobsPath(acme.companyId)}?${query}`, { key: acme.key });

  it.each(["limit=0", "limit=101", "limit=-1", "limit=abc", "limit=1.5", "limit="])(
    "%s → 400 naming limit",
    async (query) => {
      const problem = await expectProblem(await bad(query), 400);
      expect(problem.errors?.map((error) => error.path)).toEqual(["limit"]);
    },
  );

  it.each(["status=paused", "status=QUEUED", "status="])("%s → 400 naming status", async (query) => {
    const problem = await expectProblem(await bad(query), 400);
    expect(problem.errors?.map((error) => error.path)).toEqual(["status"]);
  });

  it.each(["jobType=%00", "sourceTaskId=a%00b"])("%s (a NUL) → 400", async (query) => {
    await expectProblem(await bad(query), 400);
  });

  it.each([
    ["garbage", "not-a-cursor"],
    ["base64 of garbage", Buffer.from("yesterday|nobody").toString("base64url")],
    ["a bad date", Buffer.from("not-a-date|00000000-0000-4000-8000-000000000000").toString("base64url")],
    [
      "a date PostgreSQL cannot hold",
      Buffer.from("-100000-01-01T00:00:00.000Z|00000000-0000-4000-8000-000000000000").toString("base64url"),
    ],
    [
      "a date far in the future",
      Buffer.from("+275760-09-13T00:00:00.000Z|00000000-0000-4000-8000-000000000000").toString("base64url"),
    ],
    ["a non-ASCII string", "%E2%9C%93%00%FF"],
    ["a huge string", "A".repeat(5000)],
  ])("a cursor that is %s → 400 naming cursor", async (_, cursor) => {
    const problem = await expectProblem(await bad(`cursor=${cursor}`), 400);
    expect(problem.errors?.map((error) => error.path)).toEqual(["cursor"]);
  });
});
