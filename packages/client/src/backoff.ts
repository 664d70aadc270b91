/** Bounds of an exponential backoff. */
export interface BackoffOptions {
  /** Delay before the first retry, in ms. */
  initialDelayMs: number;
  /** Upper bound of any delay, in ms. */
  maxDelayMs: number;
}

/** `initialDelayMs · 2^attempt`, capped, with ±20 % jitter so clients that failed together spread out. */
export const backoffDelay = (attempt: number, { initialDelayMs, maxDelayMs }: BackoffOptions): number => {
  const base = Math.min(maxDelayMs, initialDelayMs * 2 ** attempt);
  return Math.round(base * (0.8 + Math.random() * 0.4));
};
