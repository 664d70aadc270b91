import { type DriverError, guardDependency, isSocketFailure, someInCauseChain } from "@kiln/core";

/**
 * What PostgreSQL (SQLSTATE), pg and Prisma say when the database cannot be reached: admin
 * shutdown and crash (57P0x), connection exceptions (08xxx), Prisma's "can't reach", "timed out"
 * and "pool timeout" (P1001, P1002, P1008, P1017, P2024).
 */
const unavailableCodes = new Set([
  "57P01",
  "57P02",
  "57P03",
  "08000",
  "08001",
  "08003",
  "08006",
  "P1001",
  "P1002",
  "P1008",
  "P1017",
  "P2024",
]);
const unavailableMessage =
  /timeout exceeded|Connection terminated|Server has closed the connection|Can't reach database|the database system is (starting up|shutting down)|terminating connection/i;

const saysUnavailable = (error: DriverError): boolean =>
  isSocketFailure(error) ||
  (typeof error.code === "string" && unavailableCodes.has(error.code)) ||
  unavailableMessage.test(error.message);

/** `true` when an error (or one in its cause chain) says PostgreSQL could not be reached. */
export const isDatabaseUnavailable = (error: unknown): boolean => someInCauseChain(error, saysUnavailable);

/** A store whose connectivity failures surface as `DependencyUnavailableError("database")`: a 503. */
export const guardDatabase = <T extends object>(store: T): T =>
  guardDependency("database", store, isDatabaseUnavailable);

/**
 * PostgreSQL's class 22, "data exception" (a NUL character in text, `\u0000` or a lone surrogate in
 * JSON): the value sent was refused, not the connection. Prisma's driver adapter nests the server's
 * code in `meta.driverAdapterError.cause`.
 */
export const isDataException = (error: unknown): boolean => {
  const cause = (
    error as { meta?: { driverAdapterError?: { cause?: { originalCode?: unknown; code?: unknown } } } }
  )?.meta?.driverAdapterError?.cause;
  const code = cause?.originalCode ?? cause?.code;
  return typeof code === "string" && /^22[0-9A-Z]{3}$/.test(code);
};
