import { createHash } from "node:crypto";
import type { RedisClient } from "./redis-connection.ts";

/**
 * A Lua script called by its SHA-1 (`EVALSHA`): its text crosses the connection once per Redis
 * server (after a restart or `SCRIPT FLUSH`, the first call falls back to `EVAL`, which loads it),
 * not on every call, and Redis does not hash it again each time.
 */
export const luaScript = (lua: string) => {
  const sha = createHash("sha1").update(lua).digest("hex");
  return async (redis: RedisClient, keys: string[], args: (string | number)[]): Promise<unknown> => {
    try {
      return await redis.evalsha(sha, keys.length, ...keys, ...args);
    } catch (error) {
      if (!(error instanceof Error) || !error.message.startsWith("NOSCRIPT")) throw error;
      return redis.eval(lua, keys.length, ...keys, ...args);
    }
  };
};
