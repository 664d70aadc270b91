import { DependencyUnavailableError } from "@kiln/core";
import { describe, expect, it } from "vitest";
import { guardRedis, isRedisUnavailable } from "./redis-errors.ts";

describe("isRedisUnavailable", () => {
  it("recognises ioredis's and the socket's errors, also in the cause chain", () => {
    for (const error of [
      new Error("Connection is closed."),
      new Error("Stream isn't writeable and enableOfflineQueue options is false"),
      new Error(
        `Reached the max retries per request limit (which is 1). Refer to "maxRetriesPerRequest" option for details.`,
      ),
      Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:6379"), { code: "ECONNREFUSED" }),
      new Error("event append timed out after 3000 ms"),
      new Error("enqueue failed", { cause: new Error("Connection is closed.") }),
    ]) {
      expect(isRedisUnavailable(error), error.message).toBe(true);
    }
  });

  it("does not take a refused command or PostgreSQL's errors for an outage", () => {
    for (const error of [
      new Error("ERR wrong number of arguments for 'xadd' command"),
      new Error("WRONGTYPE Operation against a key holding the wrong kind of value"),
      Object.assign(new Error("Can't reach database server"), { code: "P1001" }),
    ]) {
      expect(isRedisUnavailable(error), error.message).toBe(false);
    }
  });

  it("guardRedis names Redis in the 503", async () => {
    const guarded = guardRedis({
      publish: async () => {
        throw new Error("Connection is closed.");
      },
    });
    await expect(guarded.publish()).rejects.toBeInstanceOf(DependencyUnavailableError);
    await expect(guarded.publish()).rejects.toMatchObject({ dependency: "redis" });
  });
});
