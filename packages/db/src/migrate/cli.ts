// `npm run db:migrate`: migrates DATABASE_URL (created if missing) with prisma/migrations.
// An app entry, so it reads the environment; migrateDatabase itself takes options only.
import type { Logger } from "@kiln/core";
import { MigrationError } from "./errors.ts";
import { migrateDatabase, prismaMigrationsDir } from "./migrate-database.ts";

const databaseUrl = process.env.DATABASE_URL || "postgresql://postgres@127.0.0.1:5432/kiln";
const target = describeTarget(databaseUrl);

try {
  const result = await migrateDatabase({
    databaseUrl,
    migrationsDir: prismaMigrationsDir,
    logger: consoleLogger(),
  });
  if (result.createdDatabase) console.log(`created database ${target}`);
  for (const name of result.applied) console.log(`applied ${name}`);
  console.log(
    result.applied.length === 0
      ? `${target} is up to date (${result.alreadyApplied.length} migrations already applied)`
      : `${target}: applied ${result.applied.length} migration(s)`,
  );
} catch (error) {
  console.error(`db:migrate failed for ${target}: ${describeError(error)}`);
  process.exitCode = 1;
}

/** host:port/database, never the password. */
function describeTarget(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.hostname}:${parsed.port || "5432"}${parsed.pathname}`;
  } catch {
    return "(DATABASE_URL is not a valid URL)";
  }
}

function describeError(error: unknown): string {
  if (error instanceof MigrationError) return error.message;
  // Node reports "connect to every address failed" as an AggregateError with an empty message.
  if (error instanceof AggregateError) return describeError(error.errors[0] ?? error);
  if (error instanceof Error) {
    const code = "code" in error && typeof error.code === "string" ? error.code : undefined;
    if (code === "ECONNREFUSED" || code === "ENOTFOUND" || code === "ETIMEDOUT" || code === "EHOSTUNREACH") {
      return `PostgreSQL is unreachable (${error.message})`;
    }
    return error.message || error.name;
  }
  return String(error);
}

/** Migration progress is printed by the summary above; only warnings need to reach the operator. */
function consoleLogger(): Logger {
  const logger: Logger = {
    debug() {},
    info() {},
    warn: (obj, msg) => console.warn(`warning: ${msg ?? ""} ${JSON.stringify(obj)}`),
    error: (obj, msg) => console.error(`${msg ?? ""} ${JSON.stringify(obj)}`),
    child: () => logger,
  };
  return logger;
}
