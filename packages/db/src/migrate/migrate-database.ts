import { fileURLToPath } from "node:url";
import { type Logger, silentLogger } from "@kiln/core";
import type pg from "pg";
import { connectCreatingDatabase } from "./ensure-database.ts";
import {
  MigrationChecksumMismatchError,
  MigrationError,
  MigrationFailedError,
  UnfinishedMigrationError,
} from "./errors.ts";
import {
  type AppliedMigration,
  applyMigration,
  ensureMigrationsTable,
  listAppliedMigrations,
} from "./migrations-table.ts";
import { pgErrorCodes, sqlState } from "./pg-errors.ts";
import { type LocalMigration, readMigrations } from "./read-migrations.ts";

/** The repository's `prisma/migrations` directory (where `schema.prisma`'s migrations live). */
export const prismaMigrationsDir = fileURLToPath(new URL("../../../../prisma/migrations", import.meta.url));

/** The advisory lock key `prisma migrate` takes, so this runner and Prisma's never migrate at once. */
const prismaMigrationLockKey = 72707369;

export interface MigrateDatabaseOptions {
  /** `postgresql://…/<database>`; the database is created if it does not exist. */
  databaseUrl: string;
  /**
   * Folder of Prisma-style migrations (`<name>/migration.sql`), applied in name order. Each runs in
   * its own transaction, so it must not contain statements PostgreSQL refuses inside one
   * (`CREATE INDEX CONCURRENTLY`, …).
   */
  migrationsDir: string;
  /** Receives one line per created database and applied migration. Default: silent. */
  logger?: Logger;
  /** How long to wait for another process's migration run to finish. Default: 10 000 ms (Prisma's). */
  lockTimeoutMs?: number;
  /** How long to wait for a connection before giving up. Default: 5 000 ms. */
  connectionTimeoutMs?: number;
}

export interface MigrateDatabaseResult {
  /** Whether this call created the database. */
  createdDatabase: boolean;
  /** Names of the migrations this call applied, in order. */
  applied: string[];
  /** Names of the migrations that were already applied. */
  alreadyApplied: string[];
}

/**
 * Brings a database up to date with a Prisma migrations folder, recording each migration in
 * `_prisma_migrations` the way `prisma migrate deploy` does. Safe to run repeatedly and from
 * several processes at once (they queue on Prisma's advisory lock). Throws a `MigrationError` when
 * an applied migration was edited, a previous one never finished, or a migration fails.
 */
export async function migrateDatabase(options: MigrateDatabaseOptions): Promise<MigrateDatabaseResult> {
  const logger = options.logger ?? silentLogger;
  const local = await readMigrations(options.migrationsDir);
  const { client, created } = await connectCreatingDatabase({
    databaseUrl: options.databaseUrl,
    logger,
    connectionTimeoutMs: options.connectionTimeoutMs ?? 5_000,
  });
  // An idle client whose server goes away emits "error"; the next query reports it, so just log it here.
  client.on("error", (error) => logger.warn({ err: error.message }, "migration connection error"));
  try {
    // The lock is session-level: ending the connection below releases it, even after an error.
    await acquireMigrationLock(client, options.lockTimeoutMs ?? 10_000);
    await ensureMigrationsTable(client);
    const applied = await listAppliedMigrations(client);
    const pending = pendingMigrations(local, applied, logger);
    for (const migration of pending) {
      await applyMigration(client, migration).catch((error: unknown) => {
        throw new MigrationFailedError(migration.name, error);
      });
      logger.info({ migration: migration.name }, "applied migration");
    }
    const pendingNames = new Set(pending.map((migration) => migration.name));
    return {
      createdDatabase: created,
      applied: pending.map((migration) => migration.name),
      alreadyApplied: local.map((migration) => migration.name).filter((name) => !pendingNames.has(name)),
    };
  } finally {
    await client.end();
  }
}

async function acquireMigrationLock(client: pg.Client, timeoutMs: number): Promise<void> {
  // lock_timeout bounds pg_advisory_lock; it is reset before any migration runs.
  await client.query(`SET lock_timeout = ${Math.max(1, Math.floor(timeoutMs))}`);
  try {
    await client.query("SELECT pg_advisory_lock($1)", [prismaMigrationLockKey]);
  } catch (error) {
    if (sqlState(error) === pgErrorCodes.lockNotAvailable) {
      throw new MigrationError(
        `timed out after ${timeoutMs} ms waiting for the migration lock: another migration is running`,
        { cause: error },
      );
    }
    throw error;
  }
  await client.query("RESET lock_timeout");
}

/** Checks the database's history against the files and answers what is left to apply, in order. */
function pendingMigrations(
  local: LocalMigration[],
  applied: AppliedMigration[],
  logger: Logger,
): LocalMigration[] {
  const live = applied.filter((row) => row.rolledBackAt === null);
  const unfinished = live.find((row) => row.finishedAt === null);
  if (unfinished) throw new UnfinishedMigrationError(unfinished.migrationName);

  const appliedByName = new Map(live.map((row) => [row.migrationName, row]));
  const localNames = new Set(local.map((migration) => migration.name));
  for (const row of live) {
    if (!localNames.has(row.migrationName)) {
      // An older release started against a database a newer one migrated: Prisma's deploy lets it run too.
      logger.warn(
        { migration: row.migrationName },
        "database has a migration missing from the migrations folder",
      );
    }
  }
  const pending: LocalMigration[] = [];
  for (const migration of local) {
    const row = appliedByName.get(migration.name);
    if (!row) pending.push(migration);
    else if (row.checksum !== migration.checksum) throw new MigrationChecksumMismatchError(migration.name);
  }
  return pending;
}
