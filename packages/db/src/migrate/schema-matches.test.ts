import { readFile } from "node:fs/promises";
import { createTestDatabase, type TestDatabase } from "@kiln/testkit/databases";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type DatabaseShape,
  describeDatabase,
  expectedDatabaseShape,
  loadPrismaDatamodel,
  prismaSchemaPath,
} from "./schema-check/index.ts";

// `prisma migrate diff` cannot run here (no schema engine binary), so this is the same check done
// by hand: Prisma's own parse of schema.prisma against what the migrations actually built.
let database: TestDatabase;
let client: pg.Client;
let schema: string;
let migrated: DatabaseShape;

beforeAll(async () => {
  database = await createTestDatabase();
  client = new pg.Client({ connectionString: database.url });
  await client.connect();
  schema = await readFile(prismaSchemaPath, "utf8");
  migrated = await describeDatabase(client);
});

afterAll(async () => {
  await client?.end();
  await database?.drop();
});

describe("the migrated database", () => {
  it("matches schema.prisma: tables, columns, types, defaults, enums, keys, indexes, foreign keys", async () => {
    const expected = expectedDatabaseShape(await loadPrismaDatamodel(schema));
    expect(Object.keys(expected.tables).length).toBeGreaterThan(0);
    expect(migrated).toEqual(expected);
  });
});

describe("the check itself", () => {
  it("notices a field added to schema.prisma without a migration", async () => {
    const edited = schema.replace(/(model ContentJob \{\n)/, "$1  addedWithoutMigration String?\n");
    expect(edited).not.toBe(schema);
    const expected = expectedDatabaseShape(await loadPrismaDatamodel(edited));
    expect(expected.tables.content_jobs?.columns.addedWithoutMigration).toEqual({
      type: "text",
      nullable: true,
      default: null,
    });
    expect(migrated).not.toEqual(expected);
  });

  it("notices a changed index sort order", async () => {
    const edited = schema.replace("@@index([status, updatedAt])", "@@index([status, updatedAt(sort: Desc)])");
    expect(edited).not.toBe(schema);
    expect(migrated).not.toEqual(expectedDatabaseShape(await loadPrismaDatamodel(edited)));
  });

  it("notices a table or column the schema does not declare", async () => {
    const expected = expectedDatabaseShape(await loadPrismaDatamodel(schema));
    await client.query('ALTER TABLE "companies" ADD COLUMN "stray" TEXT');
    await client.query('CREATE TABLE "stray_table" ("id" INTEGER)');
    const drifted = await describeDatabase(client);
    expect(drifted).not.toEqual(expected);
    expect(drifted.tables.companies?.columns.stray).toBeDefined();
    expect(drifted.tables.stray_table).toBeDefined();
  });

  it("reports schema.prisma validation errors from Prisma's own parser", async () => {
    await expect(loadPrismaDatamodel(`${schema}\nmodel Broken {\n  id NoSuchType @id\n}\n`)).rejects.toThrow(
      /NoSuchType/,
    );
  });
});
