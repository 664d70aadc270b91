/** The SQLSTATE of an error thrown by `pg`, if it carries one. */
export function sqlState(error: unknown): string | undefined {
  if (typeof error === "object" && error !== null && "code" in error && typeof error.code === "string") {
    return error.code;
  }
  return undefined;
}

/** SQLSTATEs this package reacts to (https://www.postgresql.org/docs/current/errcodes-appendix.html). */
export const pgErrorCodes = {
  /** The database named in the connection string does not exist. */
  invalidCatalogName: "3D000",
  duplicateDatabase: "42P04",
  /** Two concurrent CREATE DATABASE of one name can also collide on pg_database's unique index. */
  uniqueViolation: "23505",
  lockNotAvailable: "55P03",
  /** CREATE DATABASE … TEMPLATE t while someone is connected to t. */
  objectInUse: "55006",
} as const;
