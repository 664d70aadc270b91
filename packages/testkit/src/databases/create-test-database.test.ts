import pg from "pg";
import { afterEach, describe, expect, inject, it } from "vitest";
import { createPrismaForTest, createTestDatabase, type TestDatabase, testServerUrl } from "./index.ts";

const databases: TestDatabase[] = [];
afterEach(async () => {
  await Promise.all(databases.splice(0).map((database) => database.drop()));
});

async function testDatabase(): Promise<TestDatabase> {
  const database = await createTestDatabase();
  databases.push(database);
  return database;
}

async function databaseExists(name: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: testServerUrl() });
  await client.connect();
  try {
    const { rows } = await client.query("SELECT 1 FROM pg_database WHERE datname = $1", [name]);
    return rows.length === 1;
  } finally {
    await client.end();
  }
}

describe("createTestDatabase", () => {
  it("gets the run's template name from globalSetup through inject()", () => {
    expect(inject("kilnTestTemplateDb")).toMatch(/^kiln_test_template_[0-9a-f]{8}$/);
  });

  it("answers a migrated database of its own that Prisma can use", async () => {
    const database = await testDatabase();
    expect(database.name).toMatch(/^kiln_test_[0-9a-f]{8}_[0-9a-f]{12}$/);
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

  it("isolates databases from each other", async () => {
    const [a, b] = await Promise.all([testDatabase(), testDatabase()]);
    const prismaA = await createPrismaForTest(a.url);
    const prismaB = await createPrismaForTest(b.url);
    try {
      await prismaA.company.create({
        data: { id: "0b7f4a52-5d1e-4c49-9a3e-2b1f0c9d8e03", name: "Only in A" },
      });
      expect(await prismaB.company.count()).toBe(0);
    } finally {
      await Promise.all([prismaA.$disconnect(), prismaB.$disconnect()]);
    }
  });

  it("drop() removes the database even with a connection open, and may be called twice", async () => {
    const database = await createTestDatabase();
    const prisma = await createPrismaForTest(database.url);
    await prisma.$queryRaw`SELECT 1`;

    await database.drop();
    await database.drop();

    expect(await databaseExists(database.name)).toBe(false);
    await prisma.$disconnect();
  });
});
