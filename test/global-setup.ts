// Once per vitest run: migrate a template database that every test copies with createTestDatabase().
// Its name reaches the test workers through vitest's provide/inject (works with forks and threads).
// Both projects that need PostgreSQL (integration, processes) name this file; they share one
// template, made by whichever starts first and dropped, with every copy, when the last ends.
// It also bundles the API's and the worker's entries once, so the processes tests spawn start from
// JavaScript instead of compiling TypeScript each time (`bundleProcessEntries`).
import { migrateDatabase, prismaMigrationsDir } from "@kiln/db";
import { bundleProcessEntries } from "@kiln/testkit";
import { createTemplateDatabase, type TemplateDatabase } from "@kiln/testkit/databases";
import type { TestProject } from "vitest/node";

interface SharedTemplate {
  template: Promise<TemplateDatabase>;
  bundles: ReturnType<typeof bundleProcessEntries>;
  users: number;
}
// Global setup files may be loaded once per project: the sharing lives on the main process's global.
const run = globalThis as typeof globalThis & { kilnTestTemplate?: SharedTemplate };

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  run.kilnTestTemplate ??= {
    template: createTemplateDatabase({
      migrate: (databaseUrl) => migrateDatabase({ databaseUrl, migrationsDir: prismaMigrationsDir }),
    }),
    bundles: bundleProcessEntries(),
    users: 0,
  };
  const shared = run.kilnTestTemplate;
  shared.users++;
  const [template] = await Promise.all([shared.template, shared.bundles]);
  project.provide("kilnTestTemplateDb", template.name);
  return async () => {
    shared.users--;
    if (shared.users > 0) return;
    run.kilnTestTemplate = undefined;
    await Promise.all([template.dropWithCopies(), (await shared.bundles).remove()]);
  };
}
