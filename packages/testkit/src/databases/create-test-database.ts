import { randomBytes } from "node:crypto";
import pg from "pg";
import { inject } from "vitest";
import { dropDatabase, withAdminConnection } from "./admin-connection.ts";
import { noteSeededTables, releaseCopy, takeReleasedCopy } from "./released-copies.ts";
import { databaseUrlOnServer, testDatabasePrefix, testServerUrl } from "./test-server.ts";

declare module "vitest" {
  export interface ProvidedContext {
    /** Name of the migrated template database of this run, provided by `test/global-setup.ts`. */
    kilnTestTemplateDb: string;
  }
}

export interface CreateTestDatabaseOptions {
  /** Maintenance-database URL of the test server. Default: `testServerUrl()` (`KILN_TEST_DATABASE_URL`). */
  serverUrl?: string;
  /** Database to copy. Default: the run's migrated template, `inject("kilnTestTemplateDb")`. */
  templateName?: string;
  /**
   * `"migrated"`: a copy of the template (default). `"empty"`: a blank database, for migration
   * tests. `"missing"`: only a free name and URL, for code that creates the database itself;
   * `drop()` still removes whatever ends up there.
   */
  state?: "migrated" | "empty" | "missing";
}

/** A database of one's own (by default migrated and holding no rows). */
export interface TestDatabase {
  url: string;
  name: string;
  /** Closes every connection to it and drops it; safe to call twice. */
  drop(): Promise<void>;
  /**
   * Done with it, cheaper than `drop()`: a migrated copy is emptied (its connections closed,
   * every table the template left empty truncated) and handed to a later `createTestDatabase()`
   * of this process instead of a new copy; the run's end drops it. Other states are dropped.
   * Safe to call twice; afterwards neither this object nor its URL may be used.
   */
  release(): Promise<void>;
}

/**
 * Copies the run's migrated template into a fresh `kiln_test_<run>_<random>` database: one
 * `CREATE DATABASE … TEMPLATE`, no migrations replayed (PostgreSQL still fsyncs the copy, so
 * share one per test file rather than per test), or hands out a copy this process released.
 * Call `release()` or `drop()` when done; whatever is left is dropped when the run ends, as the
 * name ties it to the run.
 */
export async function createTestDatabase(options: CreateTestDatabaseOptions = {}): Promise<TestDatabase> {
  const serverUrl = options.serverUrl ?? testServerUrl();
  const templateName = options.templateName ?? inject("kilnTestTemplateDb");
  if (!templateName) {
    throw new Error("no template database: run tests with vitest, whose globalSetup is test/global-setup.ts");
  }
  const state = options.state ?? "migrated";
  const copies = `${serverUrl} ${templateName}`;
  const reused = state === "migrated" ? takeReleasedCopy(copies) : undefined;
  const name = reused ?? `${testDatabasePrefix(templateName)}${randomBytes(6).toString("hex")}`;
  const url = databaseUrlOnServer(serverUrl, name);
  if (!reused && state !== "missing") {
    // template0 rather than the server's default template1, which an admin may have filled.
    const template = pg.escapeIdentifier(state === "migrated" ? templateName : "template0");
    await withAdminConnection(serverUrl, (client) =>
      client.query(`CREATE DATABASE ${pg.escapeIdentifier(name)} TEMPLATE ${template}`),
    );
    if (state === "migrated") await noteSeededTables(copies, url);
  }
  let ended: Promise<void> | undefined;
  const drop = () => {
    ended ??= withAdminConnection(serverUrl, (client) => dropDatabase(client, name));
    return ended;
  };
  return {
    url,
    name,
    drop,
    release() {
      if (state !== "migrated") return drop();
      ended ??= releaseCopy(copies, name, url).catch(async (error: unknown) => {
        // Never hand out a copy in an unknown state: drop it, and say why it could not be kept.
        await withAdminConnection(serverUrl, (client) => dropDatabase(client, name)).catch(() => {});
        throw error;
      });
      return ended;
    },
  };
}
