import { parseRedisUrl } from "@kiln/core";
import { Cluster, Redis, type RedisOptions } from "ioredis";

/**
 * A connection to one Redis node or to a Redis Cluster: Kiln uses only what both answer the same
 * way (keys of one script share a hash tag; pub/sub through `pubsub.ts`).
 */
export type RedisClient = Redis | Cluster;

export interface RedisConnectionOptions {
  /** `redis://[:password@]host:port[/db]`, or a cluster: `redis+cluster://host:port,host:port…`. */
  url: string;
  /** Shown in `CLIENT LIST`, handy when counting connections. */
  name?: string;
  /**
   * `true` for connections BullMQ workers block on and for subscribers (they must retry forever);
   * `false` (default) for request paths, which fail fast so callers get a 503 instead of a hang.
   */
  blocking?: boolean;
}

const reconnectDelay = (times: number) => Math.min(times * 200, 2_000);

/**
 * One ioredis connection, or one cluster client (a connection per node it needs). Request-path
 * connections fail fast while Redis is down and reconnect on their own.
 */
export const createRedisConnection = ({
  url,
  name,
  blocking = false,
}: RedisConnectionOptions): RedisClient => {
  const options: RedisOptions = {
    connectionName: name,
    lazyConnect: false,
    maxRetriesPerRequest: blocking ? null : 1,
    enableOfflineQueue: true,
    connectTimeout: 3_000,
    retryStrategy: reconnectDelay,
    enableAutoPipelining: !blocking,
  };
  const target = parseRedisUrl(url);
  const redis =
    target.kind === "node"
      ? new Redis(url, options)
      : new Cluster(target.nodes, {
          redisOptions: {
            ...options,
            username: target.username,
            password: target.password,
            ...(target.tls && { tls: {} }),
          },
          clusterRetryStrategy: reconnectDelay,
          enableOfflineQueue: true,
          // Live events use sharded pub/sub: each channel is subscribed on the shard owning its slot.
          shardedSubscribers: true,
        });
  // ioredis reports connection errors as events; without a listener Node would crash the process.
  redis.on("error", () => {});
  return redis;
};

/**
 * Resolves when Redis answers and can serve every key: a node answers PING; a cluster's node says
 * `cluster_state:ok` (every slot served). Rejects otherwise.
 */
export const checkRedis = async (redis: RedisClient): Promise<void> => {
  if (!redis.isCluster) {
    await redis.ping();
    return;
  }
  const info = String(await redis.cluster("INFO"));
  if (!info.includes("cluster_state:ok"))
    throw new Error("the Redis cluster is not ok (some slots are not served)");
};

/** Rejects after `ms` so a dependency that hangs turns into a clear error. */
export const withTimeout = <T>(promise: Promise<T>, ms: number, what: string): Promise<T> =>
  new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${what} timed out after ${ms} ms`)), ms);
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error);
      },
    );
  });
