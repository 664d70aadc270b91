export {
  MigrationChecksumMismatchError,
  MigrationError,
  MigrationFailedError,
  UnfinishedMigrationError,
} from "./errors.ts";
export {
  type MigrateDatabaseOptions,
  type MigrateDatabaseResult,
  migrateDatabase,
  prismaMigrationsDir,
} from "./migrate-database.ts";
