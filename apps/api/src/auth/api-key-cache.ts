import { createHash } from "node:crypto";
import type { CompanyStore } from "@kiln/db";
import { listenForKeyRevocations, type RedisClient } from "@kiln/queue";

export interface ApiKeyCacheOptions {
  companies: Pick<CompanyStore, "authenticateApiKey" | "isApiKeyActive">;
  /** The process's subscriber connection: revocations arrive there (`<prefix>:api-keys:revoked`). */
  subscriber: RedisClient;
  prefix: string;
  /**
   * How long a key found active is trusted without a revocation heard: the bound on a revocation
   * whose broadcast was lost (the revoking instance could not reach Redis). 0: no cache.
   */
  ttlMs: number;
  /** Keys remembered at most; the oldest are forgotten first. Default 10000. */
  maxEntries?: number;
  now?: () => number;
}

interface Entry {
  companyId: string;
  keyId: string;
  at: number;
}

/**
 * Active API keys, remembered per instance so a request does not read its key from PostgreSQL.
 * A revoked key stops at once on every instance: the revoking instance forgets it before it
 * answers, every other one when it hears the broadcast (Redis delivers it before the revoker's
 * `PUBLISH` returns). An instance that cannot hear broadcasts (its subscriber is not connected)
 * trusts nothing it remembers: it reads every key from PostgreSQL, and forgets everything once it
 * hears again. Unknown and revoked keys are never remembered.
 */
export const createApiKeyCache = ({
  companies,
  subscriber,
  prefix,
  ttlMs,
  maxEntries = 10_000,
  now = Date.now,
}: ApiKeyCacheOptions) => {
  /** By SHA-256 of the key (the key itself is not kept), and by key id for stream tokens. */
  const byKey = new Map<string, Entry>();
  const activeIds = new Map<string, Entry>();
  /** Bumped by every revocation and resync: a lookup that one overtook is not remembered. */
  let generation = 0;
  let subscribed = false;

  const forgetAll = () => {
    generation += 1;
    byKey.clear();
    activeIds.clear();
  };
  const forget = (keyId: string) => {
    generation += 1;
    activeIds.delete(keyId);
    for (const [digest, entry] of byKey) if (entry.keyId === keyId) byKey.delete(digest);
  };
  const listener = listenForKeyRevocations({ subscriber, prefix, onRevoked: forget, onResync: forgetAll });
  listener.ready.then(
    () => {
      subscribed = true;
    },
    () => {},
  );

  const trusted = () => ttlMs > 0 && subscribed && subscriber.status === "ready";
  const fresh = (entry: Entry | undefined) => (entry && now() - entry.at < ttlMs ? entry : undefined);
  const remember = <K>(map: Map<K, Entry>, key: K, entry: Entry) => {
    map.delete(key);
    map.set(key, entry);
    if (map.size > maxEntries) map.delete(map.keys().next().value!);
  };

  return {
    /** Resolves once revocations are heard. */
    ready: listener.ready,

    /** The company of an active key, or `null` (as `CompanyStore.authenticateApiKey`). */
    async authenticate(key: string): Promise<{ companyId: string; keyId: string } | null> {
      if (!trusted()) return companies.authenticateApiKey(key);
      const digest = createHash("sha256").update(key).digest("base64");
      const cached = fresh(byKey.get(digest));
      if (cached) return { companyId: cached.companyId, keyId: cached.keyId };
      const before = generation;
      const found = await companies.authenticateApiKey(key);
      if (found && before === generation && trusted()) remember(byKey, digest, { ...found, at: now() });
      return found;
    },

    /** `true` while the key is active and belongs to the company (as `CompanyStore.isApiKeyActive`). */
    async isActive(keyId: string, companyId: string): Promise<boolean> {
      if (!trusted()) return companies.isApiKeyActive(keyId, companyId);
      const cached = fresh(activeIds.get(keyId));
      if (cached) return cached.companyId === companyId;
      const before = generation;
      const active = await companies.isApiKeyActive(keyId, companyId);
      if (active && before === generation && trusted())
        remember(activeIds, keyId, { companyId, keyId, at: now() });
      return active;
    },

    /** This instance revoked the key: forget it before answering. */
    forget,

    close: () => listener.close(),
  };
};

export type ApiKeyCache = ReturnType<typeof createApiKeyCache>;
