// Test helpers that know Kiln's schema. Test databases themselves come from @kiln/testkit/databases.
export { createPrismaForTest } from "./create-prisma-for-test.ts";
