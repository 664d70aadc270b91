import { describe, expect, it } from "vitest";
import { describeRedisUrl, parseRedisUrl } from "./redis-url.ts";

describe("Redis URLs", () => {
  it("a node's URL is used as it is", () => {
    for (const url of ["redis://127.0.0.1:6379", "rediss://:secret@redis.example:6380/2"]) {
      expect(parseRedisUrl(url)).toEqual({ kind: "node", url });
    }
  });

  it("a cluster is named by some of its nodes, with credentials and TLS for all of them", () => {
    expect(parseRedisUrl("redis+cluster://10.0.0.1:7000,redis-2.internal:7001,[::1]:7002")).toEqual({
      kind: "cluster",
      nodes: [
        { host: "10.0.0.1", port: 7000 },
        { host: "redis-2.internal", port: 7001 },
        { host: "::1", port: 7002 },
      ],
      tls: false,
    });
    expect(parseRedisUrl("rediss+cluster://kiln:p%40ss:word@a:7000/")).toEqual({
      kind: "cluster",
      nodes: [{ host: "a", port: 7000 }],
      username: "kiln",
      password: "p@ss:word",
      tls: true,
    });
    expect(parseRedisUrl("redis+cluster://:secret@a:7000")).toMatchObject({ password: "secret" });
  });

  it("refuses what it cannot read, saying why", () => {
    expect(() => parseRedisUrl("http://a:6379")).toThrow(/redis:\/\//);
    expect(() => parseRedisUrl("not a url")).toThrow(/redis:\/\//);
    expect(() => parseRedisUrl("redis+cluster://a:7000/1")).toThrow(/no database/);
    expect(() => parseRedisUrl("redis+cluster://a")).toThrow(/"a" is not host:port/);
    expect(() => parseRedisUrl("redis+cluster://a:7000,b:99999")).toThrow(/"b:99999"/);
    expect(() => parseRedisUrl("redis+cluster://a:7000,,b:7001")).toThrow(/is not host:port/);
  });

  it("is described without its password", () => {
    expect(describeRedisUrl("redis://:secret@127.0.0.1:6379/13")).toBe("127.0.0.1:6379/13");
    expect(describeRedisUrl("redis+cluster://:secret@a:7000,b:7001")).toBe("cluster a:7000,b:7001");
    expect(describeRedisUrl("nope")).toBe("(not a valid URL)");
  });
});
