import type { Logger } from "@kiln/core";
import pg from "pg";
import { pgErrorCodes, sqlState } from "./pg-errors.ts";

export interface EnsureDatabaseOptions {
  databaseUrl: string;
  logger: Logger;
  connectionTimeoutMs: number;
}

/**
 * Connects to the database of `databaseUrl`, creating it first if it does not exist. Creation goes
 * through the `postgres` maintenance database of the same server; a concurrent creator winning the
 * race is fine. Answers a connected client (the caller ends it) and whether this call created it.
 */
export async function connectCreatingDatabase(
  options: EnsureDatabaseOptions,
): Promise<{ client: pg.Client; created: boolean }> {
  const first = await tryConnect(options.databaseUrl, options.connectionTimeoutMs);
  if (first.client) return { client: first.client, created: false };
  if (sqlState(first.error) !== pgErrorCodes.invalidCatalogName) throw first.error;

  const created = await createDatabase(options);
  const second = await tryConnect(options.databaseUrl, options.connectionTimeoutMs);
  if (!second.client) throw second.error;
  return { client: second.client, created };
}

async function createDatabase(options: EnsureDatabaseOptions): Promise<boolean> {
  const name = databaseName(options.databaseUrl);
  const admin = new pg.Client({
    connectionString: maintenanceUrl(options.databaseUrl),
    connectionTimeoutMillis: options.connectionTimeoutMs,
  });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${pg.escapeIdentifier(name)}`);
    options.logger.info({ database: name }, "created database");
    return true;
  } catch (error) {
    const state = sqlState(error);
    if (state === pgErrorCodes.duplicateDatabase || state === pgErrorCodes.uniqueViolation) return false;
    throw error;
  } finally {
    await admin.end();
  }
}

async function tryConnect(
  url: string,
  connectionTimeoutMs: number,
): Promise<{ client: pg.Client; error?: undefined } | { client?: undefined; error: unknown }> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: connectionTimeoutMs });
  try {
    await client.connect();
    return { client };
  } catch (error) {
    // The connect error is the one worth reporting; ending a client that never connected cannot fail usefully.
    await client.end().catch(() => undefined);
    return { error };
  }
}

/** The database name of a PostgreSQL URL (its path, decoded). */
export function databaseName(databaseUrl: string): string {
  const name = decodeURIComponent(new URL(databaseUrl).pathname.replace(/^\//, ""));
  if (!name) throw new Error("the database URL names no database (expected postgresql://…/<database>)");
  return name;
}

/** The same server URL pointed at the `postgres` maintenance database. */
export function maintenanceUrl(databaseUrl: string): string {
  const url = new URL(databaseUrl);
  url.pathname = "/postgres";
  return url.toString();
}
