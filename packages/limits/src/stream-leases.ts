import { randomUUID } from "node:crypto";
import type { Logger } from "@kiln/core";
import { type RedisClient, withTimeout } from "@kiln/queue";

// A company's open SSE streams, fleet-wide: one sorted set per company whose members are leases
// (one per open stream, named by the instance that holds it) scored by when they expire. Each
// instance renews its leases; those of an instance that died expire and stop counting. Scripts
// read Redis's clock, so instances' clocks never disagree about expiry. The streams a company
// opens on an instance within one turn of its event loop (a burst of dashboards reconnecting)
// take their leases in one script, and those closed together release them in one command.

const nowMs = `local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)`;

/**
 * KEYS[1] the company's leases; ARGV max open, ttl ms, then the leases asked for, first come first.
 * Grants as many as fit under the cap → {leases granted (the first ones), open streams after}.
 */
const acquireScript = `${nowMs}
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
local open = redis.call('ZCARD', KEYS[1])
local granted = math.max(0, math.min(#ARGV - 2, tonumber(ARGV[1]) - open))
for i = 1, granted do redis.call('ZADD', KEYS[1], now + tonumber(ARGV[2]), ARGV[i + 2]) end
if granted > 0 then redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return {granted, open + granted}`;

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

/** Leases per Redis command at most: a command's arguments are spread on the call stack. */
const leasesPerCommand = 1_000;
const chunksOf = <T>(items: T[]): T[][] =>
  Array.from({ length: Math.ceil(items.length / leasesPerCommand) }, (_, i) =>
    items.slice(i * leasesPerCommand, (i + 1) * leasesPerCommand),
  );

/** A lease this instance holds: an object per open stream, its method shared. */
class HeldLease implements StreamLease {
  constructor(
    private readonly companyId: string,
    private readonly lease: string,
    private readonly releaseLease: (companyId: string, lease: string) => void,
  ) {}
  release() {
    this.releaseLease(this.companyId, this.lease);
  }
}

interface AcquireBatch {
  companyId: string;
  max: number;
  requests: { lease: string; answer(answer: StreamLeaseAnswer): void }[];
}

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
  /** Leases to release at the end of this turn, by company. */
  const releasing = new Map<string, string[]>();
  const flushReleases = () => {
    for (const [companyId, leases] of releasing)
      for (const chunk of chunksOf(leases))
        withTimeout(redis.zrem(keyOf(companyId), ...chunk), timeoutMs, "stream lease release").catch(
          (error) =>
            // Unreleased, the leases expire by themselves within the ttl.
            reportFailure(error, "release"),
        );
    releasing.clear();
  };
  const release = (companyId: string, lease: string) => {
    const leases = held.get(companyId);
    if (!leases?.delete(lease)) return;
    if (leases.size === 0) held.delete(companyId);
    const batch = releasing.get(companyId);
    if (batch) batch.push(lease);
    else {
      if (releasing.size === 0) setImmediate(flushReleases);
      releasing.set(companyId, [lease]);
    }
  };
  const grant = (companyId: string, lease: string): StreamLeaseAnswer => {
    hold(companyId, lease);
    return { granted: true, lease: new HeldLease(companyId, lease, release) };
  };

  /** Acquires asked for in this turn, by company and cap: one script per batch at the end of the turn. */
  const acquiring = new Map<string, AcquireBatch>();
  const acquireBatch = async ({ companyId, max, requests }: AcquireBatch) => {
    let answer: [number, number];
    try {
      answer = (await withTimeout(
        redis.eval(acquireScript, 1, keyOf(companyId), max, ttlMs, ...requests.map(({ lease }) => lease)),
        timeoutMs,
        "stream lease",
      )) as [number, number];
    } catch (error) {
      reportFailure(error, "acquire");
      for (const request of requests) request.answer({ granted: true, lease: { release: () => {} } });
      return;
    }
    const [granted, open] = answer;
    for (const [index, request] of requests.entries())
      request.answer(index < granted ? grant(companyId, request.lease) : { granted: false, open });
  };
  const flushAcquires = () => {
    // Sent in order on one connection, so Redis grants them in the order they were asked for.
    for (const { companyId, max, requests } of acquiring.values())
      for (const chunk of chunksOf(requests)) void acquireBatch({ companyId, max, requests: chunk });
    acquiring.clear();
  };

  const renewAll = async () => {
    await Promise.all(
      [...held].flatMap(([companyId, leases]) =>
        chunksOf([...leases]).map((chunk) =>
          withTimeout(
            redis.eval(renewScript, 1, keyOf(companyId), ttlMs, ...chunk),
            timeoutMs,
            "stream lease renewal",
          ),
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
    acquire(companyId: string, max: number): Promise<StreamLeaseAnswer> {
      const lease = `${instance}:${++sequence}`;
      const key = `${companyId}\n${max}`;
      let batch = acquiring.get(key);
      if (!batch) {
        if (acquiring.size === 0) setImmediate(flushAcquires);
        batch = { companyId, max, requests: [] };
        acquiring.set(key, batch);
      }
      const requests = batch.requests;
      return new Promise((answer) => requests.push({ lease, answer }));
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
      flushReleases();
      await Promise.allSettled(
        [...held].flatMap(([companyId, leases]) =>
          chunksOf([...leases]).map((chunk) =>
            withTimeout(redis.zrem(keyOf(companyId), ...chunk), timeoutMs, "stream lease release"),
          ),
        ),
      );
      held.clear();
    },
  };
};

export type StreamLeases = ReturnType<typeof createStreamLeases>;
