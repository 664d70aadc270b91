// Test support for schema-matches.test.ts: proves the migrations build what schema.prisma declares.
import { fileURLToPath } from "node:url";

export { type DatabaseShape, describeDatabase } from "./database-shape.ts";
export { expectedDatabaseShape } from "./expected-shape.ts";
export { loadPrismaDatamodel } from "./load-datamodel.ts";

export const prismaSchemaPath = fileURLToPath(
  new URL("../../../../../prisma/schema.prisma", import.meta.url),
);
