import { createHash } from "node:crypto";
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { MigrationError } from "./errors.ts";

/** One folder of the migrations directory, as Prisma lays it out: `<name>/migration.sql`. */
export interface LocalMigration {
  name: string;
  sql: string;
  /** SHA-256 (hex) of `migration.sql`'s bytes: what Prisma stores in `_prisma_migrations.checksum`. */
  checksum: string;
}

/** Reads every migration folder under `migrationsDir`, sorted by name (the timestamp prefix orders them). */
export async function readMigrations(migrationsDir: string): Promise<LocalMigration[]> {
  const entries = await readdir(migrationsDir, { withFileTypes: true });
  const names = entries
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort();
  return Promise.all(
    names.map(async (name) => {
      const file = join(migrationsDir, name, "migration.sql");
      const bytes = await readFile(file).catch((error: unknown) => {
        throw new MigrationError(`cannot read ${file}: every migration folder needs a migration.sql`, {
          cause: error,
        });
      });
      return {
        name,
        sql: bytes.toString("utf8"),
        checksum: createHash("sha256").update(bytes).digest("hex"),
      };
    }),
  );
}
