import { sleep } from "@kiln/core/sleep";
import { backoffDelay } from "./backoff.ts";
import { KilnApiError, KilnNetworkError, KilnProtocolError } from "./errors.ts";
import { readProblem } from "./read-problem.ts";

/** How requests that may safely be repeated are retried after a `503` or a failed connection. */
export interface RetryOptions {
  /** Retries after the first try; `0` turns retrying off. Default `3`. */
  maxRetries?: number;
  /** Delay before the first retry, in ms. Default `250`. */
  initialDelayMs?: number;
  /** Upper bound of one delay, including a server's `Retry-After`, in ms. Default `5000`. */
  maxDelayMs?: number;
}

export interface TransportOptions {
  /** Where the API listens, e.g. `http://localhost:3000`; a trailing slash is ignored. */
  baseUrl: string;
  /** Sent as `Authorization: Bearer …`; empty sends none (public routes such as `/api/job-types`). */
  token: string;
  /** Default: the global `fetch`. */
  fetch?: typeof globalThis.fetch;
  /** Time allowed per request, in ms: until the whole body for JSON, until the headers for streams. Default `30000`. */
  timeoutMs?: number;
  retry?: RetryOptions;
}

export interface RequestSpec {
  method: "GET" | "POST" | "DELETE";
  /** Path from the base URL, already encoded. */
  path: string;
  query?: Record<string, string | number | undefined>;
  body?: unknown;
  headers?: Record<string, string>;
  signal?: AbortSignal;
  /** Safe to repeat: retried after a `503` or a failed connection. */
  retryable?: boolean;
}

/**
 * Sends requests to one Kiln API with one credential: URLs, auth, timeouts, problem+json, retries.
 * Every method retries a `retryable` request after a `503` or a failed connection, and rejects
 * with `KilnApiError` (a non-2xx answer, as a problem document), `KilnNetworkError` (no answer,
 * or none in time) or the signal's reason.
 */
export interface Transport {
  /** Resolves with the body as JSON (`undefined` when empty, e.g. a `204`); other text: `KilnProtocolError`. */
  json<T>(request: RequestSpec): Promise<T>;
  /** Resolves with the whole body as bytes, and the response for its headers. */
  bytes(request: RequestSpec): Promise<{ response: Response; bytes: Uint8Array }>;
  /** Resolves at the headers with the response, whose body the caller reads: the timeout stops there. */
  stream(request: RequestSpec): Promise<Response>;
}

/** How one request is sent: `streaming` hands its body to the caller. */
type Sending = RequestSpec & { streaming?: boolean };

const timeoutReason = Symbol("kiln-client-timeout");

/** `Retry-After` in ms, when given as seconds (Kiln's form; an HTTP date is ignored). */
const retryAfterOf = (response: Response): number | undefined => {
  const seconds = Number(response.headers.get("retry-after") ?? Number.NaN);
  return Number.isFinite(seconds) && seconds >= 0 ? seconds * 1000 : undefined;
};

const describeCause = (error: unknown): string => {
  const cause = error instanceof Error && error.cause instanceof Error ? error.cause : error;
  const code = (cause as { code?: unknown } | undefined)?.code;
  if (typeof code === "string") return code;
  return cause instanceof Error ? cause.message : String(cause);
};

export const createTransport = (options: TransportOptions): Transport => {
  const baseUrl = options.baseUrl.replace(/\/+$/, "");
  const doFetch = options.fetch ?? globalThis.fetch;
  const timeoutMs = options.timeoutMs ?? 30_000;
  const maxRetries = options.retry?.maxRetries ?? 3;
  const backoff = {
    initialDelayMs: options.retry?.initialDelayMs ?? 250,
    maxDelayMs: options.retry?.maxDelayMs ?? 5_000,
  };

  const urlOf = (path: string, query: RequestSpec["query"] = {}) => {
    const url = new URL(`${baseUrl}${path}`);
    for (const [name, value] of Object.entries(query)) {
      if (value !== undefined) url.searchParams.set(name, String(value));
    }
    return url.toString();
  };

  /** One try: resolves with a 2xx response (body unread) and a `done()` that ends its timer. */
  const attempt = async (spec: Sending) => {
    const timeout = new AbortController();
    const timer = setTimeout(() => timeout.abort(timeoutReason), timeoutMs);
    const signal = spec.signal ? AbortSignal.any([spec.signal, timeout.signal]) : timeout.signal;
    const done = () => clearTimeout(timer);
    const fail = (error: unknown): never => {
      done();
      if (spec.signal?.aborted) throw spec.signal.reason;
      if (timeout.signal.aborted) {
        throw new KilnNetworkError(`${spec.method} ${spec.path} timed out after ${timeoutMs} ms`, {
          cause: error,
          timedOut: true,
        });
      }
      if (error instanceof KilnApiError || error instanceof KilnProtocolError) throw error;
      throw new KilnNetworkError(`Could not reach ${baseUrl} (${describeCause(error)})`, { cause: error });
    };
    try {
      const response = await doFetch(urlOf(spec.path, spec.query), {
        method: spec.method,
        signal,
        headers: {
          ...(options.token && { authorization: `Bearer ${options.token}` }),
          accept: spec.streaming ? "*/*" : "application/json, application/problem+json",
          ...(spec.body !== undefined && { "content-type": "application/json" }),
          ...spec.headers,
        },
        body: spec.body === undefined ? undefined : JSON.stringify(spec.body),
      });
      if (!response.ok) {
        throw new KilnApiError(await readProblem(response), { retryAfterMs: retryAfterOf(response) });
      }
      if (spec.streaming) done();
      return { response, done, fail };
    } catch (error) {
      return fail(error);
    }
  };

  const isWorthRetrying = (error: unknown) =>
    (error instanceof KilnApiError && error.status === 503) ||
    (error instanceof KilnNetworkError && !error.timedOut);

  /** Sends a request, retrying it when `retryable`; throws `KilnApiError` on a non-2xx answer. */
  const send = async (spec: Sending) => {
    for (let retry = 0; ; retry++) {
      try {
        return await attempt(spec);
      } catch (error) {
        if (!spec.retryable || retry >= maxRetries || !isWorthRetrying(error)) throw error;
        const hinted = error instanceof KilnApiError ? (error.retryAfterMs ?? 0) : 0;
        await sleep(
          Math.max(backoffDelay(retry, backoff), Math.min(hinted, backoff.maxDelayMs)),
          spec.signal,
        );
      }
    }
  };

  return {
    async json<T>(spec: RequestSpec): Promise<T> {
      const { response, done, fail } = await send(spec);
      const text = await response.text().catch(fail);
      done();
      if (text === "") return undefined as T;
      try {
        return JSON.parse(text) as T;
      } catch (error) {
        throw new KilnProtocolError(`${spec.method} ${spec.path} answered ${response.status} without JSON`, {
          cause: error,
        });
      }
    },
    async bytes(spec) {
      const { response, done, fail } = await send(spec);
      const buffer = await response.arrayBuffer().catch(fail);
      done();
      return { response, bytes: new Uint8Array(buffer) };
    },
    async stream(spec) {
      return (await send({ ...spec, streaming: true })).response;
    },
  };
};
