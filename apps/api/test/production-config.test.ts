import { ConfigError } from "@kiln/core";
import { spawnKilnProcess } from "@kiln/testkit";
import { describe, expect, it } from "vitest";
import { loadApiConfig } from "../src/config.ts";

const production = (token: string) => ({ NODE_ENV: "production", KILN_ADMIN_TOKEN: token });

describe("KILN_ADMIN_TOKEN in production", () => {
  it.each([
    ["16 characters", "kiln-admin-16chr", /must be at least 32 characters in production/],
    [
      "31 random characters",
      "5f2b9c0e7a1d4f6b8c3e9a2d7f1b4c6",
      /must be at least 32 characters in production/,
    ],
    ["one character repeated", "a".repeat(40), /low-entropy: use at least 8 distinct characters/],
    ["two characters alternating", "ab".repeat(20), /low-entropy: use at least 8 distinct characters/],
    ["a word repeated", "password".repeat(5), /low-entropy: use at least 8 distinct characters/],
    ["a longer string repeated", "abcdefghijkl".repeat(3), /low-entropy: a shorter string repeated/],
  ])("%s → refused, naming the variable", (_, token, reason) => {
    const attempt = () => loadApiConfig(production(token));
    expect(attempt).toThrow(ConfigError);
    expect(attempt).toThrow(/KILN_ADMIN_TOKEN=/);
    expect(attempt).toThrow(reason);
  });

  it("a random token of 32+ characters is accepted", () => {
    for (const token of [
      "5f2b9c0e7a1d4f6b8c3e9a2d7f1b4c60",
      "kiln_admin_Qm9yZ2V0LW1lLW5vdC10aGlzLWlzLWEtdGVzdA",
    ]) {
      expect(loadApiConfig(production(token)).KILN_ADMIN_TOKEN).toBe(token);
    }
  });

  it("development and test keep the 16-character minimum and nothing more", () => {
    expect(loadApiConfig({ KILN_ADMIN_TOKEN: "a".repeat(16) }).KILN_ADMIN_TOKEN).toBe("a".repeat(16));
    expect(loadApiConfig({ NODE_ENV: "test", KILN_ADMIN_TOKEN: "ab".repeat(8) }).NODE_ENV).toBe("test");
    expect(() => loadApiConfig({ KILN_ADMIN_TOKEN: "short" })).toThrow(
      /KILN_ADMIN_TOKEN="short": must be at least 16 characters/,
    );
  });

  it("the API refuses to start with a weak token in production, naming it, without a stack trace", async () => {
    const api = spawnKilnProcess("apps/api/src/main.ts", {
      ...production("aaaaaaaaaaaaaaaa"),
      PORT: "0",
      HOST: "127.0.0.1",
    });
    expect(await api.exited).toBe(1);
    expect(api.output()).toContain(
      'KILN_ADMIN_TOKEN="aaaaaaaaaaaaaaaa": must be at least 32 characters in production',
    );
    expect(api.output()).not.toMatch(/\n\s+at /);
    expect(api.output()).not.toContain("KILN_API_LISTENING");
  }, 60_000);
});

describe("other API settings", () => {
  it("defaults: Bull Board read-only, /metrics not public, job counts cached 15 s", () => {
    expect(loadApiConfig({})).toMatchObject({
      KILN_BULL_BOARD_READONLY: true,
      KILN_METRICS_PUBLIC: false,
      KILN_METRICS_JOB_COUNTS_TTL_MS: 15_000,
    });
  });

  it("bad values are refused, naming the variable", () => {
    expect(() => loadApiConfig({ KILN_BULL_BOARD_READONLY: "maybe" })).toThrow(
      /KILN_BULL_BOARD_READONLY="maybe"/,
    );
    expect(() => loadApiConfig({ KILN_METRICS_PUBLIC: "open" })).toThrow(/KILN_METRICS_PUBLIC="open"/);
    expect(() => loadApiConfig({ KILN_METRICS_JOB_COUNTS_TTL_MS: "-1" })).toThrow(
      /KILN_METRICS_JOB_COUNTS_TTL_MS="-1": must be at least 0/,
    );
  });
});
