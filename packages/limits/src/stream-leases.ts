import { randomUUID } from "node:crypto";
import type { Logger } from "@kiln/core";
import { type RedisClient, withTimeout } from "@kiln/queue";

// A company's open SSE streams, fleet-wide: one sorted set per company whose members are leases
// (one per open stream, named by the instance that holds it) scored by when they expire. Each
// instance renews its leases; those of an instance that died expire and stop counting. Scripts
// read Redis's clock, so instances' clocks never disagree about expiry.

const nowMs = `local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)`;

/** KEYS[1] the company's leases; ARGV lease, max open, ttl ms → {granted 0|1, open streams}. */
const acquireScript = `${nowMs}
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
local open = redis.call('ZCARD', KEYS[1])
if open >= tonumber(ARGV[2]) then return {0, open} end
redis.call('ZADD', KEYS[1], now + tonumber(ARGV[3]), ARGV[1])
redis.call('PEXPIRE', KEYS[1], ARGV[3])
return {1, open + 1}`;

/**
 * KEYS[1] the company's leases; ARGV ttl ms, then the leases this instance holds. A lease that
 * expired while its instance was stalled is added back: its stream is open, so it counts.
 */
const renewScript = `${nowMs}
for i = 2, #ARGV do redis.call('ZADD', KEYS[1], now + tonumber(ARGV[1]), ARGV[i]) end
redis.call('PEXPIRE', KEYS[1], ARGV[1])
return #ARGV - 1`;

const countScript = `${nowMs}
return redis.call('ZCOUNT', KEYS[1], '(' .. now, '+inf')`;

export interface StreamLease {
  /** Frees the slot (idempotent). */
  release(): void;
}

export type StreamLeaseAnswer = { granted: true; lease: StreamLease } | { granted: false; open: number };

export interface StreamLeasesOptions {
  /** The API's request-path connection. */
  redis: RedisClient;
  /** Redis key prefix. Default `kiln`. */
  prefix?: string;
  /**
   * How long a lease lasts unless renewed; the instance renews its leases every third of it. A
   * crashed instance's streams stop counting after at most this long. Default 30000 ms.
   */
  ttlMs?: number;
  /** How long one Redis call may take. Default 1000 ms. */
  timeoutMs?: number;
  logger: Logger;
}

/** Open-stream slots of each company, shared by every API instance through Redis. */
export const createStreamLeases = ({
  redis,
  prefix = "kiln",
  ttlMs = 30_000,
  timeoutMs = 1_000,
  logger,
}: StreamLeasesOptions) => {
  const instance = randomUUID();
  const keyOf = (companyId: string) => `${prefix}:sse-leases:{${companyId}}`;
  /** The leases this instance holds, by company. */
  const held = new Map<string, Set<string>>();
  let sequence = 0;
  let failing = false;
  const reportFailure = (error: unknown, what: string) => {
    if (!failing) logger.warn({ err: error }, `stream leases: ${what} failed`);
    failing = true;
  };

  const hold = (companyId: string, lease: string) => {
    const leases = held.get(companyId) ?? new Set();
    leases.add(lease);
    held.set(companyId, leases);
  };
  const release = (companyId: string, lease: string) => {
    const leases = held.get(companyId);
    if (!leases?.delete(lease)) return;
    if (leases.size === 0) held.delete(companyId);
    withTimeout(redis.zrem(keyOf(companyId), lease), timeoutMs, "stream lease release").catch((error) =>
      // Unreleased, the lease expires by itself within the ttl.
      reportFailure(error, "release"),
    );
  };

  const renewAll = async () => {
    await Promise.all(
      [...held].map(([companyId, leases]) =>
        withTimeout(
          redis.eval(renewScript, 1, keyOf(companyId), ttlMs, ...leases),
          timeoutMs,
          "stream lease renewal",
        ),
      ),
    ).then(
      () => {
        failing = false;
      },
      (error: unknown) => reportFailure(error, "renewal"),
    );
  };
  const renewal = setInterval(() => void renewAll(), Math.max(50, Math.floor(ttlMs / 3)));
  renewal.unref();

  return {
    /**
     * Takes one of the company's `max` slots. With Redis unavailable the stream is let through
     * without a slot (it is counted again once it reconnects): a stream cap never turns an outage
     * of Redis into refusals.
     */
    async acquire(companyId: string, max: number): Promise<StreamLeaseAnswer> {
      const lease = `${instance}:${++sequence}`;
      let answer: [number, number];
      try {
        answer = (await withTimeout(
          redis.eval(acquireScript, 1, keyOf(companyId), lease, max, ttlMs),
          timeoutMs,
          "stream lease",
        )) as [number, number];
      } catch (error) {
        reportFailure(error, "acquire");
        return { granted: true, lease: { release: () => {} } };
      }
      if (answer[0] !== 1) return { granted: false, open: answer[1] };
      hold(companyId, lease);
      return { granted: true, lease: { release: () => release(companyId, lease) } };
    },

    /** Open streams of the company across every instance (leases not yet expired). */
    async count(companyId: string): Promise<number> {
      return Number(
        await withTimeout(redis.eval(countScript, 1, keyOf(companyId)), timeoutMs, "stream count"),
      );
    },

    /** Leases this instance holds (all companies). */
    heldCount: () => [...held.values()].reduce((total, leases) => total + leases.size, 0),

    /** Stops renewing and frees every lease still held (streams are closed before this). */
    async close() {
      clearInterval(renewal);
      await Promise.allSettled(
        [...held].map(([companyId, leases]) =>
          withTimeout(redis.zrem(keyOf(companyId), ...leases), timeoutMs, "stream lease release"),
        ),
      );
      held.clear();
    },
  };
};

export type StreamLeases = ReturnType<typeof createStreamLeases>;
