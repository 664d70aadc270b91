// Once per vitest run: migrate a template database that every test copies with createTestDatabase().
// Its name reaches the test workers through vitest's provide/inject (works with forks and threads).
import { migrateDatabase, prismaMigrationsDir } from "@kiln/db";
import { createTemplateDatabase } from "@kiln/testkit/databases";
import type { TestProject } from "vitest/node";

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const template = await createTemplateDatabase({
    migrate: (databaseUrl) => migrateDatabase({ databaseUrl, migrationsDir: prismaMigrationsDir }),
  });
  project.provide("kilnTestTemplateDb", template.name);
  return () => template.dropWithCopies();
}
