import { randomBytes } from "node:crypto";
import type { CompanyLimits } from "@kiln/core";
import { createRedisConnection, type RedisClient } from "@kiln/queue";
import { deleteRedisKeys } from "@kiln/testkit/redis";

/** Tests use their own Redis database index and a random key prefix: never a running instance's keys. */
export const testRedisUrl = process.env.KILN_TEST_REDIS_URL ?? "redis://127.0.0.1:6379/13";

/**
 * A Redis connection and a fresh key prefix; `close()` deletes the prefix's keys. `url` may name a
 * cluster (`redis+cluster://…`).
 */
export const createTestRedis = (url = testRedisUrl) => {
  const prefix = `kiln-test-${randomBytes(5).toString("hex")}`;
  const connections: RedisClient[] = [];
  const connect = () => {
    const redis = createRedisConnection({ url, name: "kiln-test" });
    connections.push(redis);
    return redis;
  };
  const redis = connect();
  return {
    prefix,
    redis,
    /** Another connection, as another instance would hold. */
    connect,
    async close() {
      await deleteRedisKeys(redis, `${prefix}:*`);
      for (const connection of connections) connection.disconnect();
    },
  };
};

/** Limits for tests: small rates, everything else roomy. */
export const testLimits = (overrides: Partial<CompanyLimits> = {}): CompanyLimits => ({
  submitsPerSecondPerKey: 3,
  submitBurstPerKey: 2,
  submitsPerSecondPerCompany: 100,
  submitBurstPerCompany: 0,
  readsPerSecondPerKey: 5,
  readBurstPerKey: 0,
  maxActiveJobs: 1000,
  maxRunningPerJobType: 10,
  maxOpenStreams: 10,
  maxArtifactBytes: 1024 ** 3,
  ...overrides,
});
