import { DependencyUnavailableError, KilnError } from "@kiln/core";
import { describe, expect, it } from "vitest";
import { guardDatabase, isDatabaseUnavailable, isDataException } from "./database-errors.ts";

const withCode = (message: string, code: string) => Object.assign(new Error(message), { code });

describe("isDatabaseUnavailable", () => {
  it("recognises PostgreSQL, pg, Prisma and socket errors, also deep in the cause chain", () => {
    for (const error of [
      withCode("terminating connection due to administrator command", "57P01"),
      withCode("connection failure", "08006"),
      withCode("Can't reach database server at 127.0.0.1:5432", "P1001"),
      new Error("timeout exceeded when trying to connect"),
      new Error("Connection terminated unexpectedly"),
      // Prisma's raw queries say P1017 in words only (`Code: N/A`).
      withCode("Raw query failed. Code: `N/A`. Message: `Server has closed the connection.`", "P2010"),
      withCode("connect ECONNREFUSED 127.0.0.1:5432", "ECONNREFUSED"),
      new Error("database check timed out after 3000 ms"),
      new Error("query failed", { cause: new Error("wrapped", { cause: withCode("reset", "ECONNRESET") }) }),
    ]) {
      expect(isDatabaseUnavailable(error), error.message).toBe(true);
    }
  });

  it("does not take bad data, bugs or Redis's own errors for an outage", () => {
    for (const error of [
      withCode("duplicate key value violates unique constraint", "23505"),
      withCode("invalid byte sequence for encoding UTF8: 0x00", "22021"),
      new TypeError("Cannot read properties of undefined"),
      new Error("Connection is closed."),
      "ECONNREFUSED",
    ]) {
      expect(isDatabaseUnavailable(error), String(error)).toBe(false);
    }
  });
});

describe("guardDatabase", () => {
  const store = {
    read: async (error: unknown) => {
      throw error;
    },
    count: () => 1,
  };
  const guarded = guardDatabase(store);

  it("turns an outage into DependencyUnavailableError naming the database", async () => {
    const rejected = guarded.read(withCode("Can't reach database server", "P1001"));
    await expect(rejected).rejects.toBeInstanceOf(DependencyUnavailableError);
    await expect(rejected).rejects.toMatchObject({ code: "unavailable", dependency: "database" });
  });

  it("lets other errors, domain errors and results through unchanged", async () => {
    const bug = new TypeError("a bug");
    await expect(guarded.read(bug)).rejects.toBe(bug);
    const domain = new KilnError("conflict", "terminal", { cause: withCode("x", "P1001") });
    await expect(guarded.read(domain)).rejects.toBe(domain);
    expect(guarded.count()).toBe(1);
  });
});

describe("isDataException", () => {
  it("reads class 22 from where Prisma's driver adapter nests the server's code", () => {
    const refused = { meta: { driverAdapterError: { cause: { originalCode: "22P05" } } } };
    expect(isDataException(refused)).toBe(true);
    expect(isDataException({ meta: { driverAdapterError: { cause: { code: "23505" } } } })).toBe(false);
    expect(isDataException(withCode("no adapter", "22021"))).toBe(false);
  });
});
