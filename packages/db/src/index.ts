export { type CreatePrismaClientOptions, createPrismaClient } from "./client.ts";
export * from "./company-limits-store/company-limits-store.ts";
export * from "./company-store/company-store.ts";
export * from "./database-errors.ts";
export {
  type ApiKey,
  type Company,
  type ContentJob,
  type IdempotencyKey,
  Prisma,
  type PrismaClient,
} from "./generated/prisma/client.ts";
export { JobStatus } from "./generated/prisma/enums.ts";
export * from "./job-store/job-store.ts";
export { type StoredArtifact, toJob, toJobSummaryOfRow } from "./job-store/to-job.ts";
export * from "./migrate/index.ts";
export { isUniqueViolation } from "./unique-violation.ts";
