import {
  boundJobEvent,
  compareEventIds,
  type JobEvent,
  type JobEventType,
  type NewJobEvent,
} from "@kiln/core";
import { luaScript } from "../lua-script.ts";
import { publishCommandOf } from "../pubsub.ts";
import { type RedisClient, withTimeout } from "../redis-connection.ts";
import { eventKeys } from "./event-keys.ts";

export interface EventRetention {
  /** Events younger than this are always kept. Default 24 h. */
  maxAgeMs: number;
  /** Older events are dropped only while a company holds more than this many. Default 10,000. */
  minCount: number;
}

export const defaultEventRetention: EventRetention = { maxAgeMs: 24 * 3600 * 1000, minCount: 10_000 };

export interface EventLogOptions {
  redis: RedisClient;
  /** Redis key prefix. Default `kiln`. */
  prefix?: string;
  retention?: Partial<EventRetention>;
  /** How long one Redis call may take. Default 3000 ms. */
  timeoutMs?: number;
}

export interface ReplayResult {
  events: JobEvent[];
  /** `true` when events after the requested id may have been trimmed away: the reader must resync. */
  gap: boolean;
}

/**
 * Appends events to Redis streams (per company and per job) and publishes them, in one atomic step.
 * Every event is stored as `boundJobEvent` makes it: its `data` stays within `maxEventDataBytes`.
 */
export interface EventLog {
  /** Stores the event in its company's and its job's streams and publishes it live; resolves with its id. */
  append(event: NewJobEvent): Promise<JobEvent>;
  /** A company's events after `afterId` (exclusive), oldest first, with whether some may be lost. */
  replayCompany(companyId: string, afterId: string): Promise<ReplayResult>;
  /** A job's events after `afterId` (exclusive), oldest first: kept `maxAgeMs` after its newest, ~5,000 at most. */
  replayJob(companyId: string, jobId: string, afterId: string): Promise<JobEvent[]>;
  /** Id of the newest event of a job; `null` when none is retained. */
  lastJobEventId(companyId: string, jobId: string): Promise<string | null>;
  /** Id of the newest event of a company; `null` when none is retained. */
  lastCompanyEventId(companyId: string): Promise<string | null>;
}

// KEYS: company stream, job stream, live channel (one hash tag: one slot of a cluster).
// ARGV: type, data, minCount, cutoffId, jobTtlMs, publish command (SPUBLISH on a cluster, see pubsub.ts).
// One script, so the stream order, the job stream copy and the live message can never disagree.
const appendScript = `
local id = redis.call('XADD', KEYS[1], '*', 'type', ARGV[1], 'data', ARGV[2])
redis.call('XADD', KEYS[2], 'MAXLEN', '~', 5000, id, 'type', ARGV[1], 'data', ARGV[2])
redis.call('PEXPIRE', KEYS[2], ARGV[5])
if redis.call('XLEN', KEYS[1]) > tonumber(ARGV[3]) then
  redis.call('XTRIM', KEYS[1], 'MINID', ARGV[4])
end
redis.call(ARGV[6], KEYS[3], cjson.encode({id = id, type = ARGV[1], data = ARGV[2]}))
return id
`;

const runAppend = luaScript(appendScript);

type StreamEntry = [id: string, fields: string[]];

const parseEntry = ([id, fields]: StreamEntry): JobEvent => {
  let type = "";
  let data = "{}";
  for (let i = 0; i < fields.length; i += 2) {
    if (fields[i] === "type") type = fields[i + 1] ?? "";
    if (fields[i] === "data") data = fields[i + 1] ?? "{}";
  }
  return { id, type: type as JobEventType, data: JSON.parse(data) } as JobEvent;
};

/** Parses what `append` publishes on a company channel. */
export const parseLiveMessage = (message: string): JobEvent => {
  const raw = JSON.parse(message) as { id: string; type: JobEventType; data: string };
  return { id: raw.id, type: raw.type, data: JSON.parse(raw.data) } as JobEvent;
};

export const createEventLog = ({
  redis,
  prefix = "kiln",
  retention: retentionOverrides,
  timeoutMs = 3_000,
}: EventLogOptions): EventLog => {
  const keys = eventKeys(prefix);
  const retention = { ...defaultEventRetention, ...retentionOverrides };
  const call = <T>(promise: Promise<T>, what: string) => withTimeout(promise, timeoutMs, what);
  const exclusive = (id: string) => `(${id}`;
  const publishCommand = publishCommandOf(redis);

  return {
    async append(newEvent) {
      const event = boundJobEvent(newEvent);
      const { jobId, companyId } = event.data;
      const cutoffId = `${Date.now() - retention.maxAgeMs}-0`;
      const id = (await call(
        runAppend(
          redis,
          [keys.companyStream(companyId), keys.jobStream(companyId, jobId), keys.companyChannel(companyId)],
          [
            event.type,
            JSON.stringify(event.data),
            retention.minCount,
            cutoffId,
            retention.maxAgeMs,
            publishCommand,
          ],
        ),
        "event append",
      )) as string;
      return { id, type: event.type, data: event.data } as JobEvent;
    },

    async replayCompany(companyId, afterId) {
      const key = keys.companyStream(companyId);
      const [entries, info] = await call(
        Promise.all([
          redis.xrange(key, exclusive(afterId), "+") as Promise<StreamEntry[]>,
          redis.call("XINFO", "STREAM", key).catch(() => null) as Promise<unknown[] | null>,
        ]),
        "event replay",
      );
      const gap = info !== null && wasTrimmedAfter(info, afterId);
      return { events: entries.map(parseEntry), gap };
    },

    async replayJob(companyId, jobId, afterId) {
      const entries = (await call(
        redis.xrange(keys.jobStream(companyId, jobId), exclusive(afterId), "+") as Promise<StreamEntry[]>,
        "event replay",
      )) as StreamEntry[];
      return entries.map(parseEntry);
    },

    async lastJobEventId(companyId, jobId) {
      const entries = (await call(
        redis.xrevrange(keys.jobStream(companyId, jobId), "+", "-", "COUNT", 1) as Promise<StreamEntry[]>,
        "event lookup",
      )) as StreamEntry[];
      return entries[0]?.[0] ?? null;
    },

    async lastCompanyEventId(companyId) {
      const entries = (await call(
        redis.xrevrange(keys.companyStream(companyId), "+", "-", "COUNT", 1) as Promise<StreamEntry[]>,
        "event lookup",
      )) as StreamEntry[];
      return entries[0]?.[0] ?? null;
    },
  };
};

const readInfoField = (info: unknown[], field: string): unknown => {
  for (let i = 0; i < info.length; i += 2) if (info[i] === field) return info[i + 1];
  return undefined;
};

/**
 * `true` when events after `afterId` may have been trimmed: the stream has lost entries
 * (`entries-added` > `length`) and its oldest retained entry comes after `afterId`.
 */
const wasTrimmedAfter = (info: unknown[], afterId: string): boolean => {
  const length = Number(readInfoField(info, "length") ?? 0);
  const added = Number(readInfoField(info, "entries-added") ?? length);
  if (added <= length) return false;
  const first = readInfoField(info, "first-entry");
  const firstId = Array.isArray(first) && typeof first[0] === "string" ? first[0] : null;
  return firstId === null || compareEventIds(afterId, firstId) < 0;
};
