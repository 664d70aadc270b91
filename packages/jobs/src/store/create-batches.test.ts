import { KilnError } from "@kiln/core";
import { createCompanyStore, type PrismaClient } from "@kiln/db";
import { createPrismaForTest } from "@kiln/db/testing";
import { createTestDatabase, type TestDatabase } from "@kiln/testkit/databases";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { createJobRows, type JobRows, type NewJobRow } from "./job-rows.ts";

let database: TestDatabase;
let prisma: PrismaClient;
let rows: JobRows;

beforeAll(async () => {
  database = await createTestDatabase();
  prisma = await createPrismaForTest(database.url);
  rows = createJobRows({ prisma });
});
afterAll(async () => {
  await prisma.$disconnect();
  await database.drop();
});

const newCompany = async () => (await createCompanyStore({ prisma }).createCompany("Batch")).id;
const row = (companyId: string, more: Partial<NewJobRow> = {}): NewJobRow => ({
  companyId,
  jobType: "canary",
  input: { durationMs: 0, steps: 1 },
  priority: 0,
  maxAttempts: 3,
  ...more,
});
const activeOf = (companyId: string) =>
  prisma.contentJob.count({ where: { companyId, status: { in: ["queued", "running"] } } });

describe("creating a company's rows in batches", () => {
  it("writes concurrent submits in a few statements, each answered with its own committed row", async () => {
    const companyId = await newCompany();
    const statements = vi.spyOn(prisma, "$queryRaw");
    try {
      const created = await Promise.all(
        Array.from({ length: 50 }, (_, i) => rows.create(row(companyId, { sourceTaskId: `t-${i}` }))),
      );
      expect(statements.mock.calls.length).toBeLessThan(10);
      expect(created.every((result) => result.created)).toBe(true);
      expect(created.map((result) => result.job.sourceTaskId)).toEqual(
        Array.from({ length: 50 }, (_, i) => `t-${i}`),
      );
      for (const { job } of created) {
        expect(job).toMatchObject({ companyId, status: "queued", progress: 0, attempts: 0, maxAttempts: 3 });
      }
      expect(await activeOf(companyId)).toBe(50);
    } finally {
      statements.mockRestore();
    }
  });

  it("never passes the active-jobs quota, however many submits race", async () => {
    const companyId = await newCompany();
    const results = await Promise.allSettled(
      Array.from({ length: 40 }, () => rows.create(row(companyId), { maxActiveJobs: 7 })),
    );
    const refused = results.filter((result) => result.status === "rejected");
    expect(results.length - refused.length).toBe(7);
    for (const result of refused) {
      expect(result.reason).toBeInstanceOf(KilnError);
      expect((result.reason as KilnError).code).toBe("quota_exceeded");
      expect((result.reason as KilnError).message).toMatch(/at its limit of 7/);
    }
    expect(await activeOf(companyId)).toBe(7);
  });

  it("a row PostgreSQL refuses fails its own submit only", async () => {
    const companyId = await newCompany();
    const results = await Promise.allSettled([
      rows.create(row(companyId)),
      // A NUL character: valid JSON, refused by jsonb.
      rows.create(row(companyId, { input: { text: "a\u0000b" } })),
      rows.create(row(companyId)),
    ]);
    expect(results.map((result) => result.status)).toEqual(["fulfilled", "rejected", "fulfilled"]);
    expect(await activeOf(companyId)).toBe(2);
  });

  it("one idempotency key in a batch creates one job; the same body gets it back, another a conflict", async () => {
    const companyId = await newCompany();
    const idempotency = { key: "k", requestHash: "h1", ttlMs: 60_000 };
    const results = await Promise.allSettled([
      rows.create(row(companyId, { idempotency })),
      rows.create(row(companyId, { idempotency })),
      rows.create(row(companyId, { idempotency: { ...idempotency, requestHash: "h2" } })),
    ]);
    const [first, second, other] = results;
    expect(first.status === "fulfilled" && first.value.created).toBe(true);
    expect(second.status === "fulfilled" && !second.value.created).toBe(true);
    if (first.status === "fulfilled" && second.status === "fulfilled")
      expect(second.value.job.id).toBe(first.value.job.id);
    expect(other.status === "rejected" && (other.reason as KilnError).code).toBe("conflict");
    expect(await activeOf(companyId)).toBe(1);
  });
});
