import { monitorEventLoopDelay } from "node:perf_hooks";

export interface EventLoopWatch {
  /** The longest stall of this process's event loop (ms) in the current and the previous window. */
  recentMaxDelayMs(): number;
  close(): void;
}

/**
 * Watches the worker's own event loop, so a lost queue lock is blamed on the right party: a
 * healthy loop that lost a lock was interrupted from outside (Redis, the network); a loop that
 * stalled lost it itself.
 */
export const watchEventLoop = ({ windowMs }: { windowMs: number }): EventLoopWatch => {
  const histogram = monitorEventLoopDelay({ resolution: 20 });
  histogram.enable();
  let previousWindowMax = 0;
  const timer = setInterval(() => {
    previousWindowMax = histogram.max / 1e6;
    histogram.reset();
  }, windowMs);
  timer.unref();
  return {
    recentMaxDelayMs: () => Math.max(previousWindowMax, histogram.max / 1e6),
    close() {
      clearInterval(timer);
      histogram.disable();
    },
  };
};
