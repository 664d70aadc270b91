import type { Cluster, Redis } from "ioredis";

/**
 * Every key matching `pattern` (SCAN's glob), on a single node or on each master of a cluster
 * (a SCAN only walks the node it is sent to).
 */
export const scanRedisKeys = async (redis: Redis | Cluster, pattern: string): Promise<string[]> => {
  const nodes = redis.isCluster ? (redis as Cluster).nodes("master") : [redis];
  const keys: string[] = [];
  for (const node of nodes) {
    let cursor = "0";
    do {
      const [next, batch] = await node.scan(cursor, "MATCH", pattern, "COUNT", 1000);
      cursor = next;
      keys.push(...batch);
    } while (cursor !== "0");
  }
  return keys;
};

/**
 * Deletes every key matching `pattern`: what a test's Redis key prefix left behind. One key per
 * DEL, as a cluster refuses a DEL of keys in different slots.
 */
export const deleteRedisKeys = async (redis: Redis | Cluster, pattern: string): Promise<number> => {
  const keys = await scanRedisKeys(redis, pattern);
  await Promise.all(keys.map((key) => redis.del(key)));
  return keys.length;
};
