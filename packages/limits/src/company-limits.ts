import {
  type CompanyLimitOverrides,
  type CompanyLimits,
  type CompanyLimitsPatch,
  type Logger,
  resolveCompanyLimits,
} from "@kiln/core";
import { createBroadcastPublisher, listenForBroadcasts, type RedisClient } from "@kiln/queue";
import { createCompanyCache } from "./company-cache.ts";

/** Where limits are kept (the database's company limits store). */
export interface CompanyLimitsSource {
  getOverrides(companyId: string): Promise<CompanyLimitOverrides>;
  updateOverrides(companyId: string, patch: CompanyLimitsPatch): Promise<CompanyLimitOverrides>;
}

export interface CompanyLimitsOptions {
  source: CompanyLimitsSource;
  /** Every company's limits until an admin overrides them (from the environment). */
  defaults: CompanyLimits;
  /** Publishes changes to every instance. */
  redis: RedisClient;
  /** The process's subscriber connection, shared with its other listeners. */
  subscriber: RedisClient;
  /** Redis key prefix. Default `kiln`. */
  prefix?: string;
  /** How long an instance reuses a company's limits should a change announcement be lost. Default 5000 ms. */
  ttlMs?: number;
  logger: Logger;
}

export interface CompanyLimitsOverview {
  limits: CompanyLimits;
  overrides: CompanyLimitOverrides;
}

const channelOf = (prefix: string) => `${prefix}:company-limits:changed`;

/**
 * Each company's limits in force, cached per instance. A change is written to the database, then
 * announced over Redis pub/sub: every instance forgets that company's limits at once (in
 * milliseconds), and a lost announcement is covered by the cache's short ttl. While the database
 * does not answer, the last known limits (or the defaults) apply.
 */
export const createCompanyLimits = ({
  source,
  defaults,
  redis,
  subscriber,
  prefix = "kiln",
  ttlMs,
  logger,
}: CompanyLimitsOptions) => {
  const cache = createCompanyCache<CompanyLimits>({
    name: "company limits",
    lookup: async (companyId) => resolveCompanyLimits(defaults, await source.getOverrides(companyId)),
    fallback: defaults,
    ttlMs,
    logger,
  });
  const changes = createBroadcastPublisher<{ companyId: string }>({ redis, channel: channelOf(prefix) });
  const listener = listenForBroadcasts<string>({
    subscriber,
    channel: channelOf(prefix),
    parse: (message) => {
      const companyId = (message as { companyId?: unknown } | null)?.companyId;
      return typeof companyId === "string" ? companyId : undefined;
    },
    onMessage: (companyId) => cache.invalidate(companyId),
    onResync: () => cache.invalidateAll(),
  });
  const overviewOf = (overrides: CompanyLimitOverrides): CompanyLimitsOverview => ({
    limits: resolveCompanyLimits(defaults, overrides),
    overrides,
  });

  return {
    defaults,
    /** Resolves once this instance hears changes (rejects if Redis refused the subscription). */
    ready: listener.ready,

    /** The company's limits in force, from this instance's cache. */
    get: (companyId: string): Promise<CompanyLimits> => cache.get(companyId),

    /** The limits in force and the company's own overrides, read from the database now. */
    async overview(companyId: string): Promise<CompanyLimitsOverview> {
      return overviewOf(await source.getOverrides(companyId));
    },

    /**
     * Applies a validated patch and announces it. The change is committed once this resolves; if
     * the announcement fails, other instances see it when their cached copy expires (the ttl).
     */
    async update(companyId: string, patch: CompanyLimitsPatch): Promise<CompanyLimitsOverview> {
      const overrides = await source.updateOverrides(companyId, patch);
      cache.invalidate(companyId);
      await changes.publish({ companyId }).catch((error: unknown) => {
        logger.warn(
          { err: error, companyId },
          "limits change not announced; other instances follow within the ttl",
        );
      });
      return overviewOf(overrides);
    },

    close: () => listener.close(),
  };
};

export type CompanyLimitsService = ReturnType<typeof createCompanyLimits>;
