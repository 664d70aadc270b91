import pg from "pg";
import { afterEach, describe, expect, inject, it } from "vitest";
import { createTestDatabase, type TestDatabase, testServerUrl } from "./index.ts";

const databases: TestDatabase[] = [];
afterEach(async () => {
  await Promise.all(databases.splice(0).map((database) => database.drop()));
});

async function testDatabase(): Promise<TestDatabase> {
  const database = await createTestDatabase();
  databases.push(database);
  return database;
}

async function withClient<T>(url: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

async function databaseExists(name: string): Promise<boolean> {
  const { rows } = await withClient(testServerUrl(), (client) =>
    client.query("SELECT 1 FROM pg_database WHERE datname = $1", [name]),
  );
  return rows.length === 1;
}

describe("createTestDatabase", () => {
  it("gets the run's template name from globalSetup through inject()", () => {
    expect(inject("kilnTestTemplateDb")).toMatch(/^kiln_test_template_[0-9a-f]{8}$/);
  });

  it("answers a database of its own, named after the run, holding the template's tables", async () => {
    const database = await testDatabase();
    expect(database.name).toMatch(/^kiln_test_[0-9a-f]{8}_[0-9a-f]{12}$/);
    const { rows } = await withClient(database.url, (client) =>
      client.query("SELECT count(*)::int AS n FROM _prisma_migrations WHERE finished_at IS NOT NULL"),
    );
    expect(rows[0].n).toBeGreaterThan(0);
  });

  it("isolates databases from each other", async () => {
    const [a, b] = await Promise.all([testDatabase(), testDatabase()]);
    await withClient(a.url, (client) => client.query("CREATE TABLE only_in_a (id int)"));
    const { rows } = await withClient(b.url, (client) =>
      client.query("SELECT to_regclass('only_in_a') AS found"),
    );
    expect(rows).toEqual([{ found: null }]);
  });

  it("drop() removes the database even with a connection open, and may be called twice", async () => {
    const database = await createTestDatabase();
    const open = new pg.Client({ connectionString: database.url });
    open.on("error", () => {});
    await open.connect();
    await open.query("SELECT 1");

    await database.drop();
    await database.drop();

    expect(await databaseExists(database.name)).toBe(false);
    await open.end().catch(() => {});
  });

  // The run's template is Kiln's schema: `companies` starts empty, `_prisma_migrations` does not.
  it("release() hands the copy to the next createTestDatabase(), emptied but for what the template holds", async () => {
    const first = await createTestDatabase();
    const migrations = await withClient(first.url, (client) =>
      client.query("SELECT count(*)::int AS n FROM _prisma_migrations"),
    );
    await withClient(first.url, (client) =>
      client.query(
        "INSERT INTO companies (id, name) VALUES ('0b7f4a52-5d1e-4c49-9a3e-2b1f0c9d8e04', 'Left over')",
      ),
    );
    const lingering = new pg.Client({ connectionString: first.url });
    lingering.on("error", () => {});
    await lingering.connect();
    await lingering.query("BEGIN; LOCK TABLE companies IN ACCESS SHARE MODE");

    await first.release();
    await first.release();
    const second = await testDatabase();

    expect(second.name).toBe(first.name);
    const [companies, migrationsAfter] = await withClient(second.url, (client) =>
      Promise.all([
        client.query("SELECT count(*)::int AS n FROM companies"),
        client.query("SELECT count(*)::int AS n FROM _prisma_migrations"),
      ]),
    );
    expect(companies.rows).toEqual([{ n: 0 }]);
    expect(migrationsAfter.rows).toEqual(migrations.rows);
    // A connection a test left open (holding a lock) was closed rather than waited for.
    await expect(lingering.query("SELECT 1")).rejects.toThrow();
  });

  it("release() of a database that is not a copy of the template drops it", async () => {
    const empty = await createTestDatabase({ state: "empty" });
    await empty.release();
    expect(await databaseExists(empty.name)).toBe(false);
  });
});
