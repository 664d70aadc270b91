import { createTestDatabase, type TestDatabase } from "@kiln/testkit/databases";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createPrismaForTest } from "./index.ts";

let database: TestDatabase;
beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(() => database?.drop());

describe("a test database", () => {
  it("answers a migrated database of its own that Prisma can use", async () => {
    const prisma = await createPrismaForTest(database.url);
    try {
      const company = await prisma.company.create({
        data: { id: "0b7f4a52-5d1e-4c49-9a3e-2b1f0c9d8e01", name: "Acme" },
      });
      expect(await prisma.company.findMany()).toEqual([company]);
      const job = await prisma.contentJob.create({
        data: {
          id: "0b7f4a52-5d1e-4c49-9a3e-2b1f0c9d8e02",
          companyId: company.id,
          jobType: "canary",
          input: {},
        },
      });
      expect(job).toMatchObject({
        status: "queued",
        progress: 0,
        stage: "queued",
        artifacts: [],
        maxAttempts: 3,
      });
    } finally {
      await prisma.$disconnect();
    }
  });
});
