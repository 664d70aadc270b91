import { ConfigError } from "@kiln/core";
import { spawnKilnProcess } from "@kiln/testkit";
import { loadWorkerConfig } from "@kiln/worker";
import { describe, expect, it } from "vitest";
import { loadApiConfig } from "../src/config.ts";

describe("configuration", () => {
  it("defaults let the API and a worker start with no environment at all", () => {
    expect(loadApiConfig({})).toMatchObject({
      PORT: 3000,
      REDIS_URL: "redis://127.0.0.1:6379",
      KILN_REDIS_PREFIX: "kiln",
    });
    expect(loadWorkerConfig({})).toMatchObject({ WORKER_CONCURRENCY: 2, KILN_WORKER_JOB_TYPES: [] });
  });

  it("a bad value is refused with a message naming every bad variable", () => {
    const attempt = () =>
      loadApiConfig({ PORT: "eighty", DATABASE_URL: "mysql://x", KILN_SSE_PING_MS: "-1" });
    expect(attempt).toThrow(ConfigError);
    expect(attempt).toThrow(/PORT="eighty": must be a whole number/);
    expect(attempt).toThrow(
      /DATABASE_URL="mysql:\/\/x": must be a URL starting with postgresql: or postgres:/,
    );
    expect(attempt).toThrow(/KILN_SSE_PING_MS="-1": must be at least 100/);
    expect(() => loadWorkerConfig({ WORKER_CONCURRENCY: "0" })).toThrow(
      /WORKER_CONCURRENCY="0": must be at least 1/,
    );
  });

  it("REDIS_URL names one node or a Redis Cluster; the key prefix stays plain", () => {
    const cluster = "redis+cluster://10.0.0.1:7000,10.0.0.2:7000";
    expect(loadApiConfig({ REDIS_URL: cluster }).REDIS_URL).toBe(cluster);
    expect(loadWorkerConfig({ REDIS_URL: "rediss://:pw@redis.example:6380/1" }).REDIS_URL).toBe(
      "rediss://:pw@redis.example:6380/1",
    );
    expect(() => loadApiConfig({ REDIS_URL: "redis+cluster://10.0.0.1:7000/2" })).toThrow(
      /REDIS_URL="redis\+cluster:\/\/10.0.0.1:7000\/2": a cluster is named .*\(no database\)/,
    );
    expect(() => loadApiConfig({ REDIS_URL: "memcached://x" })).toThrow(
      /REDIS_URL="memcached:\/\/x": must be a redis:\/\//,
    );
    // Kiln adds the hash tags itself: one in the prefix would put every key in one slot.
    expect(() => loadWorkerConfig({ KILN_REDIS_PREFIX: "{kiln}" })).toThrow(
      /KILN_REDIS_PREFIX="\{kiln\}": letters/,
    );
  });

  it("the processes stop at boot on a bad value, naming it, without a stack trace", async () => {
    const api = spawnKilnProcess("apps/api/src/main.ts", { PORT: "not-a-port" });
    const worker = spawnKilnProcess("apps/worker/src/main.ts", { KILN_LOCK_DURATION_MS: "soon" });
    expect(await api.exited).toBe(1);
    expect(await worker.exited).toBe(1);
    expect(api.output()).toContain('PORT="not-a-port": must be a whole number');
    expect(worker.output()).toContain('KILN_LOCK_DURATION_MS="soon": must be a whole number');
    expect(api.output() + worker.output()).not.toMatch(/\n\s+at /);
  }, 60_000);

  it("presigned downloads need an S3 store: the API refuses to start on local disk, naming it", async () => {
    const message =
      /KILN_ARTIFACT_REDIRECT="presigned": presigned URLs need an S3 store: set KILN_STORAGE_URL=s3:\/\/bucket\/prefix, or use stream/;
    expect(() => loadApiConfig({ KILN_ARTIFACT_REDIRECT: "presigned" })).toThrow(message);
    expect(() =>
      loadApiConfig({ KILN_ARTIFACT_REDIRECT: "presigned", KILN_STORAGE_URL: "file:///srv/kiln" }),
    ).toThrow(message);
    expect(
      loadApiConfig({ KILN_ARTIFACT_REDIRECT: "presigned", KILN_STORAGE_URL: "s3://kiln" })
        .KILN_ARTIFACT_URL_TTL_S,
    ).toBe(300);
    expect(() => loadWorkerConfig({ KILN_STORAGE_URL: "s3://Not_A_Bucket" })).toThrow(/KILN_STORAGE_URL/);

    const api = spawnKilnProcess("apps/api/src/main.ts", { KILN_ARTIFACT_REDIRECT: "presigned" });
    expect(await api.exited).toBe(1);
    expect(api.output()).toMatch(message);
    expect(api.output()).not.toMatch(/\n\s+at /);
  }, 60_000);

  it("a worker asked for an unknown job type refuses to start", async () => {
    const worker = spawnKilnProcess("apps/worker/src/main.ts", {}, ["--job-types", "canary,video.mp4"]);
    expect(await worker.exited).toBe(1);
    expect(worker.output()).toMatch(/unknown job type\(s\): video\.mp4/);
  }, 60_000);
});
