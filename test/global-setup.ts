// Once per vitest run: migrate a template database that every test copies with createTestDatabase().
// Its name reaches the test workers through vitest's provide/inject (works with forks and threads).
import { createTemplateDatabase } from "@kiln/db/testing";
import type { TestProject } from "vitest/node";

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const template = await createTemplateDatabase();
  project.provide("kilnTestTemplateDb", template.name);
  return () => template.dropWithCopies();
}
