export interface CachedLookupOptions {
  /** How long an answer is reused, from when it arrived. 0: never reused (calls still share one lookup in flight). */
  ttlMs: number;
  /** The clock, in ms. Default `Date.now`. */
  now?: () => number;
}

/**
 * `lookup` behind a cache and a single flight: however many callers ask at once, one lookup runs, and
 * its answer is reused for `ttlMs`. A failed lookup is not kept, so the next call tries again.
 */
export const cachedLookup = <T>(
  lookup: () => Promise<T>,
  { ttlMs, now = Date.now }: CachedLookupOptions,
): (() => Promise<T>) => {
  let cached: { value: T; at: number } | undefined;
  let inFlight: Promise<T> | undefined;
  return () => {
    if (cached && now() - cached.at < ttlMs) return Promise.resolve(cached.value);
    inFlight ??= lookup()
      .then((value) => {
        cached = { value, at: now() };
        return value;
      })
      .finally(() => {
        inFlight = undefined;
      });
    return inFlight;
  };
};
