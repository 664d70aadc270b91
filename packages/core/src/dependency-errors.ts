import { DependencyUnavailableError, KilnError } from "./errors.ts";

// Error codes and messages that mean "could not talk to the server", as opposed to a bug or bad data.
const connectivityCodes = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ETIMEDOUT",
  "EPIPE",
  "ENOTFOUND",
  "EAI_AGAIN",
  "EHOSTUNREACH",
  "57P01",
  "57P02",
  "57P03",
  "08000",
  "08001",
  "08003",
  "08006",
  "P1001",
  "P1002",
  "P1008",
  "P1017",
  "P2024",
]);
const connectivityMessage =
  /timed out|timeout exceeded|Connection terminated|Connection is closed|connect ECONNREFUSED|Can't reach database|Stream isn't writeable|MaxRetriesPerRequest|ECONNREFUSED|the database system is (starting up|shutting down)|terminating connection/i;

/** `true` when an error (or any error in its cause chain) says a server could not be reached. */
export const isConnectivityError = (error: unknown, depth = 0): boolean => {
  if (!(error instanceof Error) || depth > 5) return false;
  const code = (error as { code?: unknown }).code;
  if (typeof code === "string" && connectivityCodes.has(code)) return true;
  if (connectivityMessage.test(error.message)) return true;
  const nested = (error as { cause?: unknown; originalError?: unknown }).cause;
  return isConnectivityError(nested, depth + 1);
};

/**
 * Wraps every method of a service so a connectivity failure surfaces as
 * `DependencyUnavailableError(name)` (a 503 naming it) instead of an opaque 500.
 */
export const guardDependency = <T extends object>(name: string, service: T): T =>
  new Proxy(service, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver);
      if (typeof value !== "function") return value;
      return (...args: unknown[]) => {
        const translate = (error: unknown): never => {
          if (!(error instanceof KilnError) && isConnectivityError(error)) {
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
