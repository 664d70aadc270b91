export {
  type CreateTestDatabaseOptions,
  createTestDatabase,
  type TestDatabase,
} from "./create-test-database.ts";
export {
  type CreateTemplateDatabaseOptions,
  createTemplateDatabase,
  type TemplateDatabase,
} from "./template-database.ts";
export { defaultTestServerUrl, testServerUrl } from "./test-server.ts";
