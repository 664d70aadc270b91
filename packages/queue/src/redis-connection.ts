import { Redis, type RedisOptions } from "ioredis";

export interface RedisConnectionOptions {
  /** `redis://[:password@]host:port[/db]`. */
  url: string;
  /** Shown in `CLIENT LIST`, handy when counting connections. */
  name?: string;
  /**
   * `true` for connections BullMQ workers block on (they must retry forever);
   * `false` (default) for request paths, which fail fast so callers get a 503 instead of a hang.
   */
  blocking?: boolean;
}

/** One ioredis connection. Request-path connections fail fast while Redis is down and reconnect on their own. */
export const createRedisConnection = ({ url, name, blocking = false }: RedisConnectionOptions): Redis => {
  const options: RedisOptions = {
    connectionName: name,
    lazyConnect: false,
    maxRetriesPerRequest: blocking ? null : 1,
    enableOfflineQueue: true,
    connectTimeout: 3_000,
    retryStrategy: (times) => Math.min(times * 200, 2_000),
  };
  const redis = new Redis(url, options);
  // ioredis reports connection errors as events; without a listener Node would crash the process.
  redis.on("error", () => {});
  return redis;
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
