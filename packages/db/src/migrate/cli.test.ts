import { execFile } from "node:child_process";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { createTestDatabase, type TestDatabase } from "@kiln/testkit/databases";
import { afterEach, describe, expect, it } from "vitest";

const repoRoot = fileURLToPath(new URL("../../../../", import.meta.url));
const tsx = join(repoRoot, "node_modules/.bin/tsx");
const databases: TestDatabase[] = [];

afterEach(async () => {
  await Promise.all(databases.splice(0).map((database) => database.drop()));
});

/** Runs `npm run db:migrate`'s entry the way npm does, with DATABASE_URL set. */
function runCli(databaseUrl: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      tsx,
      ["packages/db/src/migrate/cli.ts"],
      { cwd: repoRoot, env: { ...process.env, DATABASE_URL: databaseUrl }, timeout: 30_000 },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === "number" ? error.code : -1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

describe("db:migrate", () => {
  it("creates and migrates the database, then reports it up to date", async () => {
    const database = await createTestDatabase({ state: "missing" });
    databases.push(database);

    const first = await runCli(database.url);
    expect(first).toMatchObject({ code: 0, stderr: "" });
    expect(first.stdout).toMatch(new RegExp(`^created database .+/${database.name}$`, "m"));
    expect(first.stdout).toMatch(/^applied \d{14}_init$/m);

    const second = await runCli(database.url);
    expect(second).toMatchObject({ code: 0, stderr: "" });
    expect(second.stdout).toMatch(/is up to date \(\d+ migrations already applied\)/);
  });

  it("exits 1 with one clear line, no stack trace, when PostgreSQL is unreachable", async () => {
    const result = await runCli("postgresql://postgres:secret@127.0.0.1:1/kiln");

    expect(result.code).toBe(1);
    expect(result.stderr.trim()).toBe(
      "db:migrate failed for 127.0.0.1:1/kiln: PostgreSQL is unreachable (connect ECONNREFUSED 127.0.0.1:1)",
    );
    expect(result.stderr).not.toContain("secret");
  });
});
