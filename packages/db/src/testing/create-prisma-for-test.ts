import { createPrismaClient } from "../client.ts";
import type { PrismaClient } from "../generated/prisma/client.ts";

/** A connected Prisma client on a test database; `$disconnect()` it in `afterAll`/`afterEach`. */
export async function createPrismaForTest(url: string): Promise<PrismaClient> {
  const prisma = createPrismaClient({ databaseUrl: url, poolMax: 4 });
  await prisma.$connect();
  return prisma;
}
