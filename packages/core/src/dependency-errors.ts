import { DependencyUnavailableError, KilnError } from "./errors.ts";

/**
 * Whether an error means a dependency could not be reached, as opposed to a bug or bad data.
 * Each driver's package knows its own errors: `isDatabaseUnavailable` (@kiln/db) and
 * `isRedisUnavailable` (@kiln/queue).
 */
export type IsUnavailable = (error: unknown) => boolean;

/** An error as drivers throw them: an `Error`, often with a string `code`. */
export type DriverError = Error & { code?: unknown };

/** `true` when the error, or any error in its `cause` chain (up to 5 deep), passes `test`. */
export const someInCauseChain = (
  error: unknown,
  test: (error: DriverError) => boolean,
  depth = 0,
): boolean => {
  if (!(error instanceof Error) || depth > 5) return false;
  return test(error) || someInCauseChain((error as { cause?: unknown }).cause, test, depth + 1);
};

/** Node's socket errors: the server could not be reached or went away, whichever driver talked to it. */
const socketErrorCodes = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ETIMEDOUT",
  "EPIPE",
  "ENOTFOUND",
  "EAI_AGAIN",
  "EHOSTUNREACH",
]);

/** A socket that failed, or a call that timed out (`withTimeout`): true of every dependency. */
export const isSocketFailure = (error: DriverError): boolean =>
  (typeof error.code === "string" && socketErrorCodes.has(error.code)) ||
  /timed out|ECONNREFUSED/i.test(error.message);

/**
 * Wraps every method of a service so an error that `isUnavailable` recognises surfaces as
 * `DependencyUnavailableError(name)` (a 503 naming it) instead of an opaque 500.
 */
export const guardDependency = <T extends object>(
  name: string,
  service: T,
  isUnavailable: IsUnavailable,
): T =>
  new Proxy(service, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver);
      if (typeof value !== "function") return value;
      return (...args: unknown[]) => {
        const translate = (error: unknown): never => {
          if (!(error instanceof KilnError) && isUnavailable(error)) {
            throw new DependencyUnavailableError(name, error);
          }
          throw error;
        };
        try {
          const result = value.apply(target, args);
          return result instanceof Promise ? result.catch(translate) : result;
        } catch (error) {
          return translate(error);
        }
      };
    },
  });
