import { randomUUID } from "node:crypto";
import type { RedisClient } from "./redis-connection.ts";

export interface LeaderLeaseOptions {
  redis: RedisClient;
  /** The lease's Redis key. */
  key: string;
  /** How long the lease lasts without renewal. */
  ttlMs: number;
}

// Renew or release only a lease we still hold: compare-and-set in one script.
const renewScript = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) else return 0 end`;
const releaseScript = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) else return 0 end`;

/** A Redis lease so only one process across the fleet does a periodic task at a time. */
export interface LeaderLease {
  /**
   * Takes the lease, or renews it while this process holds it; `true` while it does. A holder that
   * stops renewing loses it after `ttlMs`, and another process can take it.
   */
  acquire(): Promise<boolean>;
  /** Gives the lease up at once, if this process holds it; never throws. */
  release(): Promise<void>;
}

export const createLeaderLease = ({ redis, key, ttlMs }: LeaderLeaseOptions): LeaderLease => {
  const token = randomUUID();
  let held = false;
  return {
    async acquire() {
      if (held && (await redis.eval(renewScript, 1, key, token, ttlMs)) === 1) return true;
      held = (await redis.set(key, token, "PX", ttlMs, "NX")) === "OK";
      return held;
    },
    async release() {
      if (held) await redis.eval(releaseScript, 1, key, token).catch(() => {});
      held = false;
    },
  };
};
