import { jobTypeKeys } from "../hash-tags.ts";
import { luaScript } from "../lua-script.ts";
import { type RedisClient, withTimeout } from "../redis-connection.ts";
import { addScript, dispatchScript, inflightScript, removeScript } from "./fair-scripts.ts";

/** A job waiting in its company's line: what its queue entry needs once its turn comes. */
export interface LinedJob {
  id: string;
  companyId: string;
  jobType: string;
  /** Kiln priority 0–100: orders the company's own line (higher first, then first come). */
  priority: number;
  /** BullMQ attempts of the entry (the lifecycle engine's budget). */
  attempts: number;
  /** The company's fleet-wide cap of this type's jobs in flight: `null` none, absent: as it is. */
  maxRunning?: number | null;
}

export interface DispatchedJob {
  id: string;
  companyId: string;
  attempts: number;
}

/** The BullMQ keys whose length says how many of a type's jobs are ready to be taken. */
export interface ReadyKeys {
  wait: string;
  prioritized: string;
}

/**
 * Fair scheduling between companies, on open-source BullMQ. A submitted job first waits in its
 * company's line (a sorted set per company and job type); `dispatch` moves jobs into the type's
 * BullMQ queue one company's turn after another — `weight` jobs a turn, skipping a company at its
 * running cap — and only while that queue holds fewer ready jobs than half the slots of the
 * workers serving the type (at least one). So however many jobs one company floods in, another company's job waits for at
 * most about one job per slot ahead of it, not for the flood.
 */
export interface FairLines {
  add(job: LinedJob): Promise<void>;
  /** Takes the jobs whose turn it is out of their lines (the caller adds them to BullMQ). */
  dispatch(jobType: string, ready: ReadyKeys): Promise<DispatchedJob[]>;
  /** The dispatched jobs are in BullMQ now: they count there, no longer as in transit. */
  landed(jobType: string, ids: string[]): Promise<void>;
  /** Takes a job out of its line; `false` when it was not in one. */
  remove(jobType: string, id: string): Promise<boolean>;
  /** `true` while the job waits in its company's line. */
  isLined(jobType: string, id: string): Promise<boolean>;
  /** The job's attempt ended for good (or it was cancelled): it no longer counts against the running cap. */
  release(jobType: string, companyId: string, id: string): Promise<void>;
  /** The jobs counting against each company's running cap of a type (to prune those that ended unseen). */
  inflight(jobType: string): Promise<Map<string, string[]>>;
  /** A worker process announces how many of the type's jobs it runs at once, for `ttlMs`. */
  announceSlots(jobType: string, workerId: string, slots: number, ttlMs: number): Promise<void>;
  withdrawSlots(jobType: string, workerId: string): Promise<void>;
  /** Jobs waiting in each company's line of a type. */
  lineLengths(jobType: string): Promise<Map<string, number>>;
  /** Sets (a number) or lifts (`null`) a company's fleet-wide cap of the type's jobs in flight. */
  setRunningCap(jobType: string, companyId: string, cap: number | null): Promise<void>;
  /** Relative share of a company's turns (1 = default). */
  setWeight(jobType: string, companyId: string, weight: number): Promise<void>;
}

/**
 * The keys of a job type's lines. Each carries the job type's hash tag, the same as its BullMQ
 * queue's (see `queuePrefixOf`): the dispatch script reads the queue's ready jobs beside the lines,
 * and builds the lines' and in-flight sets' names of each company from the prefixes below.
 */
export const fairLineKeys = (prefix: string, jobType: string) => {
  const base = `${jobTypeKeys(prefix, jobType)}:fair`;
  return {
    ring: `${base}:ring`,
    ringMembers: `${base}:ring-members`,
    entries: `${base}:entries`,
    seq: `${base}:seq`,
    caps: `${base}:caps`,
    weights: `${base}:weights`,
    slots: `${base}:slots`,
    linePrefix: `${base}:line:`,
    inflightPrefix: `${base}:inflight:`,
    /** The companies that have an in-flight set (a cluster cannot SCAN for them in one call). */
    inflightCompanies: `${base}:inflight-companies`,
    transit: `${base}:transit`,
  };
};

const runAdd = luaScript(addScript);
const runDispatch = luaScript(dispatchScript);
const runRemove = luaScript(removeScript);
const runInflight = luaScript(inflightScript);

export const createFairLines = ({
  redis,
  prefix = "kiln",
  timeoutMs = 3_000,
}: {
  redis: RedisClient;
  prefix?: string;
  timeoutMs?: number;
}): FairLines => {
  const keys = (jobType: string) => fairLineKeys(prefix, jobType);
  const entryOf = (raw: string | null): { c: string; a: number } | null => {
    if (!raw) return null;
    try {
      return JSON.parse(raw) as { c: string; a: number };
    } catch {
      return null;
    }
  };
  const call = <T>(promise: Promise<T>, what: string) => withTimeout(promise, timeoutMs, what);

  return {
    async add({ id, companyId, jobType, priority, attempts, maxRunning }) {
      const k = keys(jobType);
      await call(
        runAdd(
          redis,
          [k.linePrefix + companyId, k.ring, k.ringMembers, k.entries, k.seq, k.caps],
          [
            id,
            String(priority),
            JSON.stringify({ c: companyId, a: attempts }),
            companyId,
            maxRunning === undefined ? "keep" : maxRunning === null ? "" : String(maxRunning),
          ],
        ),
        "enqueue",
      );
    },

    async dispatch(jobType, ready) {
      const k = keys(jobType);
      const out = (await call(
        runDispatch(
          redis,
          [
            k.ring,
            k.ringMembers,
            k.entries,
            k.caps,
            k.weights,
            k.slots,
            ready.wait,
            ready.prioritized,
            k.transit,
            k.inflightCompanies,
          ],
          [k.linePrefix, k.inflightPrefix, String(Date.now())],
        ),
        "dispatch",
      )) as string[];
      const dispatched: DispatchedJob[] = [];
      for (let i = 0; i < out.length; i += 2) {
        const id = out[i] ?? "";
        const entry = entryOf(out[i + 1] ?? null);
        if (entry) dispatched.push({ id, companyId: entry.c, attempts: entry.a });
      }
      return dispatched;
    },

    async landed(jobType, ids) {
      if (ids.length > 0) await call(redis.zrem(keys(jobType).transit, ...ids), "dispatch");
    },

    async remove(jobType, id) {
      const k = keys(jobType);
      const entry = entryOf(await call(redis.hget(k.entries, id), "dequeue"));
      if (!entry) return false;
      const removed = await call(runRemove(redis, [k.linePrefix + entry.c, k.entries], [id]), "dequeue");
      return removed === 1;
    },

    async isLined(jobType, id) {
      return (await call(redis.hexists(keys(jobType).entries, id), "queue lookup")) === 1;
    },

    async release(jobType, companyId, id) {
      await call(redis.srem(keys(jobType).inflightPrefix + companyId, id), "release");
    },

    async inflight(jobType) {
      const k = keys(jobType);
      const found = (await call(
        runInflight(redis, [k.inflightCompanies], [k.inflightPrefix]),
        "in-flight read",
      )) as [string, string[]][];
      return new Map(found);
    },

    async announceSlots(jobType, workerId, slots, ttlMs) {
      await call(redis.hset(keys(jobType).slots, workerId, `${slots}|${Date.now() + ttlMs}`), "announce");
    },

    async withdrawSlots(jobType, workerId) {
      await call(redis.hdel(keys(jobType).slots, workerId), "withdraw");
    },

    async lineLengths(jobType) {
      const k = keys(jobType);
      const companies = await call(redis.lrange(k.ring, 0, -1), "line lengths");
      const lengths = new Map<string, number>();
      if (companies.length === 0) return lengths;
      const pipeline = redis.pipeline();
      for (const companyId of companies) pipeline.zcard(k.linePrefix + companyId);
      const results = (await call(pipeline.exec(), "line lengths")) ?? [];
      companies.forEach((companyId, i) => {
        lengths.set(companyId, Number(results[i]?.[1] ?? 0));
      });
      return lengths;
    },

    async setRunningCap(jobType, companyId, cap) {
      const k = keys(jobType);
      if (cap === null) await call(redis.hdel(k.caps, companyId), "running cap");
      else await call(redis.hset(k.caps, companyId, String(cap)), "running cap");
    },

    async setWeight(jobType, companyId, weight) {
      const k = keys(jobType);
      if (weight === 1) await call(redis.hdel(k.weights, companyId), "weight");
      else await call(redis.hset(k.weights, companyId, String(Math.max(1, Math.round(weight)))), "weight");
    },
  };
};
