import { randomBytes } from "node:crypto";
import pg from "pg";
import { dropDatabase, withAdminConnection } from "./admin-connection.ts";
import { databaseUrlOnServer, templateNamePrefix, testDatabasePrefix, testServerUrl } from "./test-server.ts";

export interface CreateTemplateDatabaseOptions {
  /** Maintenance-database URL of the test server. Default: `testServerUrl()` (`KILN_TEST_DATABASE_URL`). */
  serverUrl?: string;
  /**
   * Creates the schema in the (not yet existing) database at `databaseUrl`, e.g. @kiln/db's
   * `migrateDatabase`. Passed in so that the testkit knows no schema and depends on no package of Kiln.
   */
  migrate(databaseUrl: string): Promise<unknown>;
}

/** The migrated template of one test run; test databases are cheap copies of it. */
export interface TemplateDatabase {
  name: string;
  /** Drops the template and every test database copied from it that is still around. */
  dropWithCopies(): Promise<void>;
}

/**
 * Creates `kiln_test_template_<random>` with `migrate`. Called once per vitest run by
 * `test/global-setup.ts`; a failure names the server so a missing PostgreSQL is obvious.
 */
export async function createTemplateDatabase(
  options: CreateTemplateDatabaseOptions,
): Promise<TemplateDatabase> {
  const serverUrl = options.serverUrl ?? testServerUrl();
  const name = `${templateNamePrefix}${randomBytes(4).toString("hex")}`;
  try {
    await options.migrate(databaseUrlOnServer(serverUrl, name));
    // Nobody needs to connect to the template, and a stray connection would block every copy.
    await withAdminConnection(serverUrl, (client) =>
      client.query(`ALTER DATABASE ${pg.escapeIdentifier(name)} WITH ALLOW_CONNECTIONS false`),
    );
  } catch (error) {
    // A half-migrated template must not outlive the run; if the server is down this fails too.
    await withAdminConnection(serverUrl, (client) => dropDatabase(client, name)).catch(() => undefined);
    const server = new URL(serverUrl);
    throw new Error(
      `cannot prepare the test template database on ${server.hostname}:${server.port || "5432"} ` +
        `(set KILN_TEST_DATABASE_URL to use another server): ${error instanceof Error ? error.message : String(error)}`,
      { cause: error },
    );
  }
  return { name, dropWithCopies: () => dropRunDatabases(serverUrl, name) };
}

async function dropRunDatabases(serverUrl: string, templateName: string): Promise<void> {
  await withAdminConnection(serverUrl, async (client) => {
    const { rows } = await client.query<{ datname: string }>(
      "SELECT datname FROM pg_database WHERE starts_with(datname, $1)",
      [testDatabasePrefix(templateName)],
    );
    for (const { datname } of rows) await dropDatabase(client, datname);
    await dropDatabase(client, templateName);
  });
}
