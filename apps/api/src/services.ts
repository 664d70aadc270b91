import type { Logger, Renderer } from "@kiln/core";
import type { CompanyLimitsStore, CompanyStore, JobStore } from "@kiln/db";
import type { JobEngine } from "@kiln/jobs";
import type { CompanyCache, CompanyLimitsService, RateLimiter, StreamLeases } from "@kiln/limits";
import type { EventHub, EventLog, JobQueues, KeyRevocationPublisher } from "@kiln/queue";
import type { ArtifactStore } from "@kiln/storage";
import type { ApiKeyCache } from "./auth/api-key-cache.ts";
import type { StreamTokens } from "./auth/stream-tokens.ts";
import type { ApiConfig } from "./config.ts";
import type { ApiMetrics } from "./ops/metrics.ts";
import type { SseRegistry } from "./sse/sse-registry.ts";
import type { StreamOpenGate } from "./sse/stream-open-gate.ts";

/** Everything the routes use, built once in main.ts (or by a test) and passed in. */
export interface Services {
  config: ApiConfig;
  logger: Logger;
  /** Reads of jobs; every change of a job goes through `engine`. */
  jobs: JobStore;
  /** The job lifecycle: submit, cancel, retry (the only writer of a job's status). */
  engine: JobEngine;
  companies: CompanyStore;
  /** Active API keys remembered by this instance, forgotten on every instance when revoked. */
  apiKeys: ApiKeyCache;
  queues: JobQueues;
  events: EventLog;
  hub: EventHub;
  /** Broadcasts a revoked key to every API instance, which end the streams it opened. */
  revocations: KeyRevocationPublisher;
  artifacts: ArtifactStore;
  renderers: Map<string, Renderer>;
  /** SHA-256 (hex) of the admin token; the token itself is not kept. */
  adminTokenHash: string;
  streamTokens: StreamTokens;
  sse: SseRegistry;
  /** Event streams this process opens at once; the rest wait their company's turn. */
  streamOpens: StreamOpenGate;
  /** Prometheus metrics of this process (its own registry); served by /metrics. */
  metrics: ApiMetrics;
  /** Each company's limits in force (cached per instance, changes heard from every instance). */
  limits: CompanyLimitsService;
  /** Usage the limits are measured against (jobs, stored bytes), read from PostgreSQL. */
  companyUsage: CompanyLimitsStore;
  /** Each company's stored artifact bytes, reused for `KILN_ARTIFACT_USAGE_TTL_MS` by submits. */
  artifactBytes: CompanyCache<number>;
  /** Rate limits per key and company, shared by every instance through Redis. */
  rateLimits: RateLimiter;
  /** Open-stream slots per company, shared by every instance through Redis. */
  streamLeases: StreamLeases;
  /** Checks each dependency; used by /readyz. */
  checkDependencies(): Promise<Record<"database" | "redis", boolean>>;
}

export interface AppEnv {
  Variables: {
    services: Services;
    /** The company the caller acts for (set by the auth middleware). */
    auth:
      | { kind: "key"; companyId: string; keyId: string }
      | { kind: "admin" }
      | { kind: "stream"; companyId: string; keyId: string; expiresAtMs: number };
    requestId: string;
  };
}
