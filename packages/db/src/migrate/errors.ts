/** Base class of every error `migrateDatabase` throws on purpose; `message` is meant for operators. */
export class MigrationError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "MigrationError";
  }
}

/** An applied migration's `migration.sql` was edited after it ran: the database no longer matches the files. */
export class MigrationChecksumMismatchError extends MigrationError {
  readonly migrationName: string;
  constructor(migrationName: string) {
    super(
      `migration ${migrationName} was modified after it was applied (checksum differs from _prisma_migrations). ` +
        "Restore the original file and put the change in a new migration.",
    );
    this.name = "MigrationChecksumMismatchError";
    this.migrationName = migrationName;
  }
}

/**
 * `_prisma_migrations` holds a migration that started but never finished (Prisma's P3009). Its
 * changes may be half applied, so nothing more is applied until someone repairs the database and
 * marks the row rolled back (`prisma migrate resolve --rolled-back <name>` or set `rolled_back_at`).
 */
export class UnfinishedMigrationError extends MigrationError {
  readonly migrationName: string;
  constructor(migrationName: string) {
    super(
      `migration ${migrationName} started but never finished in this database; repair it by hand, then mark ` +
        `it rolled back (prisma migrate resolve --rolled-back ${migrationName}) before migrating again.`,
    );
    this.name = "UnfinishedMigrationError";
    this.migrationName = migrationName;
  }
}

/** A pending migration's SQL failed; its transaction was rolled back, so the database is as it was before it. */
export class MigrationFailedError extends MigrationError {
  readonly migrationName: string;
  constructor(migrationName: string, cause: unknown) {
    super(`migration ${migrationName} failed and was rolled back: ${describeCause(cause)}`, { cause });
    this.name = "MigrationFailedError";
    this.migrationName = migrationName;
  }
}

function describeCause(cause: unknown): string {
  return cause instanceof Error ? cause.message : String(cause);
}
