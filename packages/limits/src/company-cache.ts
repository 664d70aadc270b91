import type { Logger } from "@kiln/core";

export interface CompanyCacheOptions<T> {
  /** What is cached, for logs (`company limits`). */
  name: string;
  /** Reads one company's value from the source of truth. */
  lookup(companyId: string): Promise<T>;
  /** Answered while the source fails and nothing was read before (e.g. the default limits). */
  fallback: T;
  /**
   * How long a value is reused without a change being announced: the bound on staleness should an
   * announcement be lost. Default 5000 ms.
   */
  ttlMs?: number;
  /** Companies remembered at most; those looked up longest ago are forgotten first. Default 10000. */
  maxEntries?: number;
  logger: Logger;
  now?: () => number;
}

/**
 * One value per company (its limits, its stored bytes), read once and reused until it is invalidated (a change was
 * announced) or its ttl runs out. Concurrent reads of a company share one lookup; a lookup that an
 * invalidation overtook is not kept, so a change is never hidden by the read that raced it.
 */
export const createCompanyCache = <T>({
  name,
  lookup,
  fallback,
  ttlMs = 5_000,
  maxEntries = 10_000,
  logger,
  now = Date.now,
}: CompanyCacheOptions<T>) => {
  const entries = new Map<string, { value: T; at: number }>();
  const inFlight = new Map<string, Promise<T>>();
  let failing = false;

  const remember = (companyId: string, value: T) => {
    entries.delete(companyId);
    entries.set(companyId, { value, at: now() });
    if (entries.size > maxEntries) entries.delete(entries.keys().next().value!);
  };

  const load = (companyId: string): Promise<T> => {
    const loading: Promise<T> = lookup(companyId).then(
      (value) => {
        failing = false;
        if (inFlight.get(companyId) === loading) remember(companyId, value);
        return value;
      },
      (error: unknown) => {
        // A source that fails is logged when it starts failing, not on every request.
        if (!failing) logger.warn({ err: error, companyId }, `${name} unavailable; using the last known`);
        failing = true;
        return entries.get(companyId)?.value ?? fallback;
      },
    );
    const settled = loading.finally(() => {
      if (inFlight.get(companyId) === loading) inFlight.delete(companyId);
    });
    inFlight.set(companyId, loading);
    return settled;
  };

  return {
    get(companyId: string): Promise<T> {
      const entry = entries.get(companyId);
      if (entry && now() - entry.at < ttlMs) return Promise.resolve(entry.value);
      return inFlight.get(companyId) ?? load(companyId);
    },
    /** The company's value changed: the next read looks it up. */
    invalidate(companyId: string) {
      entries.delete(companyId);
      inFlight.delete(companyId);
    },
    /** Changes may have been missed (e.g. the announcements' connection dropped): forget everything. */
    invalidateAll() {
      entries.clear();
      inFlight.clear();
    },
  };
};

export type CompanyCache<T> = ReturnType<typeof createCompanyCache<T>>;
