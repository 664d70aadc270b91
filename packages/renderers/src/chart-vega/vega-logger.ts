import type { Logger } from "@kiln/core";
import type { LoggerInterface } from "vega";

/** vega's log levels (vega-util): 0 none, 1 error, 2 warn, 3 info, 4 debug. */
const warnLevel = 2;

/**
 * Routes vega and vega-lite messages to the job's logger instead of the console, so they
 * carry the job id. Warnings only: info and debug are noise at worker scale.
 */
export const createVegaLogger = (logger: Logger): LoggerInterface => {
  let level = warnLevel;
  const text = (args: unknown[]) =>
    args.map((arg) => (arg instanceof Error ? arg.message : String(arg))).join(" ");
  const vegaLogger: LoggerInterface = {
    level(next?: number) {
      if (next === undefined) return level;
      level = next;
      return vegaLogger;
    },
    error(...args: unknown[]) {
      if (level >= 1) logger.warn({ engine: "vega" }, text(args));
      return vegaLogger;
    },
    warn(...args: unknown[]) {
      if (level >= warnLevel) logger.warn({ engine: "vega" }, text(args));
      return vegaLogger;
    },
    info() {
      return vegaLogger;
    },
    debug() {
      return vegaLogger;
    },
  };
  return vegaLogger;
};
