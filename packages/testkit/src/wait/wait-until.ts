/**
 * Resolves after `ms`. For a test that stands in for work taking time (a slow renderer, a client
 * that lingers); to wait for something to happen, use `waitUntil`.
 */
export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Polls `check` until it answers something truthy, and resolves with that; fails naming `what`
 * after `timeoutMs`. The one way tests wait on a condition instead of a fixed sleep.
 */
export const waitUntil = async <T>(
  check: () => Promise<T | undefined | null | false> | T | undefined | null | false,
  timeoutMs = 20_000,
  what = "condition",
): Promise<T> => {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() >= deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(25);
  }
};
