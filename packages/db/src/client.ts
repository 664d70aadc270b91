import type { Logger } from "@kiln/core";
import { PrismaPg } from "@prisma/adapter-pg";
import { PrismaClient } from "./generated/prisma/client.ts";

export interface CreatePrismaClientOptions {
  /** `postgresql://user:password@host:port/database`. */
  databaseUrl: string;
  /** Most connections the pool opens. Default: 10 (pg's default). */
  poolMax?: number;
  /** How long to wait for a connection before a query fails, so a down database fails fast. Default: 3 000 ms. */
  connectionTimeoutMs?: number;
  /** Server-side `statement_timeout` for every connection. Default: none. */
  statementTimeoutMs?: number;
  /** Receives errors of idle pooled connections (e.g. the server restarted). Default: not logged. */
  logger?: Logger;
}

/**
 * A Prisma client on `@prisma/adapter-pg` (no Rust engine). It connects lazily; call
 * `$disconnect()` to close its pool.
 */
export function createPrismaClient(options: CreatePrismaClientOptions): PrismaClient {
  const adapter = new PrismaPg(
    {
      connectionString: options.databaseUrl,
      max: options.poolMax ?? 10,
      connectionTimeoutMillis: options.connectionTimeoutMs ?? 3_000,
      ...(options.statementTimeoutMs === undefined ? {} : { statement_timeout: options.statementTimeoutMs }),
    },
    {
      onPoolError: (error) =>
        options.logger?.warn({ err: error.message }, "idle PostgreSQL connection failed"),
    },
  );
  return new PrismaClient({ adapter });
}
