import { createHmac } from "node:crypto";
import { companyLimitDefaultsOf, type Logger, runningCapFor, storageLocationOf } from "@kiln/core";
import {
  type CompanyStore,
  createCompanyLimitsStore,
  createCompanyStore,
  createJobStore,
  createPrismaClient,
  guardDatabase,
} from "@kiln/db";
import { createJobEngine, createJobRows } from "@kiln/jobs";
import { createCompanyCache, createCompanyLimits, createRateLimiter, createStreamLeases } from "@kiln/limits";
import {
  checkRedis,
  createControlPublisher,
  createEventHub,
  createEventLog,
  createJobQueues,
  createKeyRevocationPublisher,
  createRedisConnection,
  guardRedis,
  withTimeout,
} from "@kiln/queue";
import { createRendererRegistry } from "@kiln/renderers";
import { createArtifactStore } from "@kiln/storage";
import { createApiKeyCache } from "./auth/api-key-cache.ts";
import { hashAdminToken } from "./auth/secret-digests.ts";
import { createStreamTokens } from "./auth/stream-tokens.ts";
import type { ApiConfig } from "./config.ts";
import { coalescePerTurn } from "./ops/coalesce-per-turn.ts";
import { createApiMetrics } from "./ops/metrics.ts";
import type { Services } from "./services.ts";
import { closeRevokedStreams } from "./sse/close-revoked-streams.ts";
import { createSseRegistry } from "./sse/sse-registry.ts";
import { StreamOpenGate } from "./sse/stream-open-gate.ts";

/**
 * Requests of one turn of the event loop that present the same key share one read of it (a burst
 * of dashboards reconnecting with one key, or with tokens one key minted): one query, not one per
 * stream, that the pool would queue past its timeout. Each read is made after every request that
 * shares it arrived, so a key revoked before a request arrived still fails it.
 */
const withCoalescedKeyChecks = (store: CompanyStore): CompanyStore => {
  const authenticate = coalescePerTurn((key) => store.authenticateApiKey(key));
  const isActive = coalescePerTurn((pair) => {
    const [keyId = "", companyId = ""] = pair.split("\n");
    return store.isApiKeyActive(keyId, companyId);
  });
  return {
    ...store,
    authenticateApiKey: authenticate,
    isApiKeyActive: (keyId, companyId) => isActive(`${keyId}\n${companyId}`),
  };
};

export interface BuildServicesOptions {
  config: ApiConfig;
  logger: Logger;
  adminToken: string;
}

/** Builds every service of the API process once; `close()` releases them in reverse order. */
export const buildServices = async ({ config, logger, adminToken }: BuildServicesOptions) => {
  const prisma = createPrismaClient({ databaseUrl: config.DATABASE_URL });
  const redis = createRedisConnection({ url: config.REDIS_URL, name: "kiln-api" });
  const subscriber = createRedisConnection({
    url: config.REDIS_URL,
    name: "kiln-api-events",
    blocking: true,
  });
  const prefix = config.KILN_REDIS_PREFIX;

  const queues = createJobQueues({ connection: redis, prefix });
  const events = createEventLog({
    redis,
    prefix,
    retention: { maxAgeMs: config.KILN_EVENT_RETENTION_MS, minCount: config.KILN_EVENT_RETENTION_COUNT },
  });
  const hub = createEventHub({ subscriber, prefix, logger });
  const sse = createSseRegistry({ pingMs: config.KILN_SSE_PING_MS });
  const streamOpens = new StreamOpenGate(config.KILN_SSE_CONCURRENT_OPENS);
  const jobs = guardDatabase(createJobStore({ prisma }));
  const renderers = createRendererRegistry();
  const companies = guardDatabase(withCoalescedKeyChecks(createCompanyStore({ prisma })));
  const artifacts = await createArtifactStore(storageLocationOf(config));
  // Revocations arrive on the same subscriber connection as live events: one per process.
  const revocationWatch = closeRevokedStreams({ subscriber, prefix, sse, companies, logger });
  const apiKeys = createApiKeyCache({
    companies,
    subscriber,
    prefix,
    ttlMs: config.KILN_API_KEY_CACHE_TTL_MS,
  });
  const companyUsage = guardDatabase(createCompanyLimitsStore({ prisma }));
  // Limit changes too: each instance forgets a company's cached limits when they change.
  const limits = createCompanyLimits({
    source: companyUsage,
    defaults: companyLimitDefaultsOf(config),
    redis,
    subscriber,
    prefix,
    ttlMs: config.KILN_LIMITS_CACHE_TTL_MS,
    logger,
  });
  const streamLeases = createStreamLeases({ redis, prefix, ttlMs: config.KILN_SSE_LEASE_TTL_MS, logger });

  const engine = createJobEngine({
    rows: guardDatabase(createJobRows({ prisma })),
    reads: jobs,
    queues: guardRedis(queues),
    events: guardRedis(events),
    control: guardRedis(createControlPublisher({ redis, prefix })),
    artifacts,
    logger,
    retryBackoffMs: config.KILN_RETRY_BACKOFF_MS,
    limits: {
      runningCap: async (companyId, jobType) => {
        const cap = runningCapFor(await limits.get(companyId), jobType);
        return Number.isFinite(cap) ? cap : null;
      },
      maxActiveJobs: async (companyId) => (await limits.get(companyId)).maxActiveJobs,
    },
  });

  const services: Services = {
    config,
    logger,
    jobs,
    engine,
    companies,
    apiKeys,
    queues: guardRedis(queues),
    // Streams of a company opening together share one read of its newest event id.
    events: guardRedis({ ...events, lastCompanyEventId: coalescePerTurn(events.lastCompanyEventId) }),
    hub: guardRedis(hub),
    revocations: guardRedis(createKeyRevocationPublisher({ redis, prefix })),
    artifacts,
    renderers,
    limits,
    companyUsage,
    artifactBytes: createCompanyCache({
      name: "artifact usage",
      lookup: (companyId) => companyUsage.artifactBytes(companyId),
      // The database does not answer: the submit that asks fails on it anyway.
      fallback: 0,
      ttlMs: config.KILN_ARTIFACT_USAGE_TTL_MS,
      logger,
    }),
    rateLimits: createRateLimiter({
      redis,
      prefix,
      burstWindowSeconds: config.KILN_RATE_BURST_WINDOW_S,
      timeoutMs: config.KILN_RATE_LIMIT_TIMEOUT_MS,
      logger,
    }),
    streamLeases: guardRedis(streamLeases),
    adminTokenHash: hashAdminToken(adminToken),
    streamTokens: createStreamTokens({
      secret:
        config.KILN_STREAM_TOKEN_SECRET ??
        createHmac("sha256", adminToken).update("kiln-stream-tokens").digest("hex"),
      ttlSeconds: config.KILN_STREAM_TOKEN_TTL_S,
    }),
    sse,
    streamOpens,
    metrics: createApiMetrics({
      queues,
      jobTypes: [...renderers.keys()],
      jobs,
      companyUsage,
      labelledCompanies: config.KILN_METRICS_COMPANIES,
      moreCompanyLabels: config.KILN_METRICS_COMPANY_LABELS,
      sse,
      streamOpens,
      hub,
      logger,
      jobCountsTtlMs: config.KILN_METRICS_JOB_COUNTS_TTL_MS,
    }),
    async checkDependencies() {
      const [database, cache] = await Promise.allSettled([
        withTimeout(prisma.$queryRaw`SELECT 1`, 3_000, "database check"),
        withTimeout(checkRedis(redis), 3_000, "redis check"),
      ]);
      return { database: database.status === "fulfilled", redis: cache.status === "fulfilled" };
    },
  };

  // Warm the pool, Prisma's query compiler and Redis before the first request, so a cold start is
  // not mistaken for an outage by /readyz. Dependencies that are down do not stop the API starting.
  const [, redisWarm] = await Promise.allSettled([
    withTimeout(prisma.$queryRaw`SELECT 1`, 10_000, "database warm-up"),
    withTimeout(redis.ping(), 10_000, "redis warm-up"),
  ]);
  // Hear revocations before serving streams. With Redis down, the subscription completes when it
  // is back; meanwhile the periodic check of open streams' keys covers for it.
  if (redisWarm.status === "fulfilled") {
    await withTimeout(
      Promise.all([revocationWatch.ready, apiKeys.ready, limits.ready]),
      5_000,
      "revocation and limits subscribe",
    ).catch(() => {});
  }

  return {
    services,
    async close() {
      await sse.closeAll(1_000);
      sse.close();
      await streamLeases.close();
      await revocationWatch.close();
      await apiKeys.close();
      await limits.close();
      await hub.close().catch(() => {});
      await queues.close().catch(() => {});
      await artifacts.close();
      redis.disconnect();
      await prisma.$disconnect().catch(() => {});
    },
  };
};
