import { Prisma } from "./generated/prisma/client.ts";

/** A write refused by a unique constraint (Prisma's P2002): the row already exists. */
export const isUniqueViolation = (error: unknown): boolean =>
  error instanceof Prisma.PrismaClientKnownRequestError && error.code === "P2002";
