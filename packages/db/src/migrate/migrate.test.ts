import { createHash } from "node:crypto";
import { cp, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createTestDatabase, type TestDatabase } from "@kiln/testkit/databases";
import pg from "pg";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import {
  MigrationChecksumMismatchError,
  MigrationError,
  MigrationFailedError,
  migrateDatabase,
  prismaMigrationsDir,
  UnfinishedMigrationError,
} from "./index.ts";

const databases: TestDatabase[] = [];
const tempDirs: string[] = [];

afterEach(async () => {
  await Promise.all(databases.splice(0).map((database) => database.drop()));
});
afterAll(async () => {
  await Promise.all(tempDirs.map((dir) => rm(dir, { recursive: true, force: true })));
});

async function database(state: "empty" | "missing"): Promise<TestDatabase> {
  const created = await createTestDatabase({ state });
  databases.push(created);
  return created;
}

/** A private copy of the real migrations, free to edit. */
async function copyOfMigrations(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "kiln-migrations-"));
  tempDirs.push(dir);
  await cp(prismaMigrationsDir, dir, { recursive: true });
  return dir;
}

async function query<R extends pg.QueryResultRow>(
  url: string,
  sql: string,
  values: unknown[] = [],
): Promise<R[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<R>(sql, values)).rows;
  } finally {
    await client.end();
  }
}

interface MigrationRow {
  migration_name: string;
  checksum: string;
  finished_at: Date | null;
  applied_steps_count: number;
}
const migrationRows = (url: string) =>
  query<MigrationRow>(
    url,
    "SELECT migration_name, checksum, finished_at, applied_steps_count FROM _prisma_migrations ORDER BY migration_name",
  );

const localMigrationNames = async (dir = prismaMigrationsDir) =>
  (await readdir(dir, { withFileTypes: true }))
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort();

describe("migrateDatabase", () => {
  it("applies every migration to a fresh empty database and records each like Prisma", async () => {
    const { url } = await database("empty");
    const names = await localMigrationNames();
    expect(names.length).toBeGreaterThan(0);

    const result = await migrateDatabase({ databaseUrl: url, migrationsDir: prismaMigrationsDir });

    expect(result).toEqual({ createdDatabase: false, applied: names, alreadyApplied: [] });
    const rows = await migrationRows(url);
    const expectedRows = await Promise.all(
      names.map(async (name) => ({
        migration_name: name,
        checksum: createHash("sha256")
          .update(await readFile(join(prismaMigrationsDir, name, "migration.sql")))
          .digest("hex"),
        finished_at: expect.any(Date),
        applied_steps_count: 1,
      })),
    );
    expect(rows).toEqual(expectedRows);
    const tables = await query<{ tablename: string }>(
      url,
      "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename",
    );
    // The full shape is schema-matches.test.ts's job; here: the migrations really ran.
    expect(tables.map((t) => t.tablename)).toEqual(
      expect.arrayContaining([
        "_prisma_migrations",
        "api_keys",
        "companies",
        "content_jobs",
        "idempotency_keys",
      ]),
    );
  });

  it("applies nothing the second time", async () => {
    const { url } = await database("empty");
    await migrateDatabase({ databaseUrl: url, migrationsDir: prismaMigrationsDir });
    const before = await migrationRows(url);

    const again = await migrateDatabase({ databaseUrl: url, migrationsDir: prismaMigrationsDir });

    expect(again).toEqual({
      createdDatabase: false,
      applied: [],
      alreadyApplied: await localMigrationNames(),
    });
    expect(await migrationRows(url)).toEqual(before);
  });

  it("creates a missing database; two concurrent runs both succeed and record each migration once", async () => {
    const { url } = await database("missing");
    const names = await localMigrationNames();

    const results = await Promise.all([
      migrateDatabase({ databaseUrl: url, migrationsDir: prismaMigrationsDir }),
      migrateDatabase({ databaseUrl: url, migrationsDir: prismaMigrationsDir }),
    ]);

    expect(results.filter((r) => r.createdDatabase)).toHaveLength(1);
    expect(results.flatMap((r) => r.applied).sort()).toEqual(names);
    expect((await migrationRows(url)).map((row) => row.migration_name)).toEqual(names);
  });

  it("refuses to run when an applied migration was edited", async () => {
    const { url } = await database("empty");
    const dir = await copyOfMigrations();
    await migrateDatabase({ databaseUrl: url, migrationsDir: dir });
    const [first] = await localMigrationNames(dir);
    const file = join(dir, first!, "migration.sql");
    await writeFile(file, `${await readFile(file, "utf8")}\n-- an innocent-looking edit\n`);

    const run = migrateDatabase({ databaseUrl: url, migrationsDir: dir });

    await expect(run).rejects.toBeInstanceOf(MigrationChecksumMismatchError);
    await expect(run).rejects.toThrow(`migration ${first} was modified after it was applied`);
  });

  it("refuses to run after an unfinished migration, and ignores one marked rolled back", async () => {
    const { url } = await database("empty");
    await migrateDatabase({ databaseUrl: url, migrationsDir: prismaMigrationsDir });
    await query(
      url,
      `INSERT INTO _prisma_migrations (id, checksum, migration_name, started_at, applied_steps_count)
       VALUES ('00000000-0000-4000-8000-000000000001', 'x', '20990101000000_crashed', now(), 0)`,
    );

    const run = migrateDatabase({ databaseUrl: url, migrationsDir: prismaMigrationsDir });
    await expect(run).rejects.toBeInstanceOf(UnfinishedMigrationError);
    await expect(run).rejects.toThrow(/20990101000000_crashed started but never finished/);

    await query(url, "UPDATE _prisma_migrations SET rolled_back_at = now() WHERE migration_name = $1", [
      "20990101000000_crashed",
    ]);
    await expect(
      migrateDatabase({ databaseUrl: url, migrationsDir: prismaMigrationsDir }),
    ).resolves.toMatchObject({
      applied: [],
    });
  });

  it("rolls a failing migration back entirely, records nothing, and applies it once fixed", async () => {
    const { url } = await database("empty");
    const dir = await copyOfMigrations();
    const broken = join(dir, "29991231000000_broken");
    await mkdir(broken);
    await writeFile(
      join(broken, "migration.sql"),
      'CREATE TABLE "half_done" ("id" INTEGER);\nSELECT 1 / 0;\n',
    );

    const run = migrateDatabase({ databaseUrl: url, migrationsDir: dir });

    await expect(run).rejects.toBeInstanceOf(MigrationFailedError);
    await expect(run).rejects.toThrow(
      "migration 29991231000000_broken failed and was rolled back: division by zero",
    );
    expect(await query(url, "SELECT 1 FROM pg_tables WHERE tablename = 'half_done'")).toEqual([]);
    const recorded = (await migrationRows(url)).map((row) => row.migration_name);
    expect(recorded).toEqual(await localMigrationNames());

    await writeFile(join(broken, "migration.sql"), 'CREATE TABLE "half_done" ("id" INTEGER);\n');
    const fixed = await migrateDatabase({ databaseUrl: url, migrationsDir: dir });
    expect(fixed.applied).toEqual(["29991231000000_broken"]);
  });

  it("waits for Prisma's advisory lock and gives up after lockTimeoutMs", async () => {
    const { url } = await database("empty");
    const holder = new pg.Client({ connectionString: url });
    await holder.connect();
    try {
      await holder.query("SELECT pg_advisory_lock(72707369)");
      const run = migrateDatabase({
        databaseUrl: url,
        migrationsDir: prismaMigrationsDir,
        lockTimeoutMs: 300,
      });
      await expect(run).rejects.toBeInstanceOf(MigrationError);
      await expect(run).rejects.toThrow(/timed out after 300 ms waiting for the migration lock/);
    } finally {
      await holder.end();
    }
    expect(await query(url, "SELECT 1 FROM pg_tables WHERE tablename = 'companies'")).toEqual([]);
  });

  it("fails fast with the connection error when PostgreSQL is unreachable", async () => {
    const run = migrateDatabase({
      databaseUrl: "postgresql://postgres@127.0.0.1:1/kiln_unreachable",
      migrationsDir: prismaMigrationsDir,
    });
    await expect(run).rejects.toThrow(/ECONNREFUSED/);
  });
});
