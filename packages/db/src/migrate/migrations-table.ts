import { randomUUID } from "node:crypto";
import type pg from "pg";
import type { LocalMigration } from "./read-migrations.ts";

/** Prisma's own bookkeeping table, created exactly as `prisma migrate` creates it on PostgreSQL. */
const createMigrationsTableSql = `CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
    "id"                    VARCHAR(36) PRIMARY KEY NOT NULL,
    "checksum"              VARCHAR(64) NOT NULL,
    "finished_at"           TIMESTAMPTZ,
    "migration_name"        VARCHAR(255) NOT NULL,
    "logs"                  TEXT,
    "rolled_back_at"        TIMESTAMPTZ,
    "started_at"            TIMESTAMPTZ NOT NULL DEFAULT now(),
    "applied_steps_count"   INTEGER NOT NULL DEFAULT 0
)`;

/** A row of `_prisma_migrations`. */
export interface AppliedMigration {
  id: string;
  migrationName: string;
  checksum: string;
  finishedAt: Date | null;
  rolledBackAt: Date | null;
}

export async function ensureMigrationsTable(client: pg.Client): Promise<void> {
  await client.query(createMigrationsTableSql);
}

export async function listAppliedMigrations(client: pg.Client): Promise<AppliedMigration[]> {
  const { rows } = await client.query<AppliedMigration>(
    `SELECT id, migration_name AS "migrationName", checksum, finished_at AS "finishedAt",
            rolled_back_at AS "rolledBackAt"
       FROM "_prisma_migrations"
      ORDER BY started_at, migration_name`,
  );
  return rows;
}

/**
 * Applies one migration and records it, all in one transaction: either the schema change and its
 * row both land, or neither does (unlike Prisma, which leaves a failed row behind).
 */
export async function applyMigration(client: pg.Client, migration: LocalMigration): Promise<void> {
  const id = randomUUID();
  await client.query("BEGIN");
  try {
    await client.query(
      `INSERT INTO "_prisma_migrations" (id, checksum, migration_name, started_at, applied_steps_count)
       VALUES ($1, $2, $3, clock_timestamp(), 0)`,
      [id, migration.checksum, migration.name],
    );
    // No parameters: pg uses the simple query protocol, which runs a multi-statement script.
    await client.query(migration.sql);
    await client.query(
      `UPDATE "_prisma_migrations" SET finished_at = clock_timestamp(), applied_steps_count = 1 WHERE id = $1`,
      [id],
    );
    await client.query("COMMIT");
  } catch (error) {
    // If ROLLBACK itself fails the connection is gone and so is the transaction: report the first error.
    await client.query("ROLLBACK").catch(() => undefined);
    throw error;
  }
}
