import { compareEventIds, isEventId } from "@kiln/core/event-ids";
import { sleep } from "@kiln/core/sleep";
import { backoffDelay } from "../backoff.ts";
import { KilnApiError, KilnNetworkError } from "../errors.ts";
import type { Transport } from "../transport.ts";
import { readSseMessages } from "./read-sse-messages.ts";
import { type TypedJobEvent, toJobEvent } from "./to-job-event.ts";

/** How a followed stream reconnects after its connection drops. */
export interface ReconnectOptions {
  /** Consecutive attempts that deliver no event before giving up with `KilnNetworkError`. Default `8`. */
  maxAttempts?: number;
  /** Delay before the first reconnect when the server sent no `retry:` hint, in ms. Default `500`. */
  initialDelayMs?: number;
  /** Upper bound of the doubling delay, in ms. Default `10000`. */
  maxDelayMs?: number;
}

/** Options of `followJob` and `followCompany`. */
export interface FollowOptions {
  /** Ends the stream: the iterator rejects with the signal's reason. */
  signal?: AbortSignal;
  /** Resume after this event id (sent as `Last-Event-ID`); default: from the start (a fresh snapshot). */
  lastEventId?: string;
  reconnect?: ReconnectOptions;
  /** Silence (no event, no `: ping`) after which the connection counts as dropped, in ms. Default `45000` (3 pings). */
  idleTimeoutMs?: number;
}

interface StreamSpec {
  path: string;
  /**
   * Whether this event can be the stream's last (a job's terminal event or terminal snapshot);
   * never for the company stream. It is the last only when the server then ends the stream: a job
   * retried by hand lives past its old terminal event, which a resumed stream replays like any other.
   */
  canEnd(event: TypedJobEvent): boolean;
}

/** A stream error after which reconnecting can help: the connection, or a `503` from a busy instance. */
const isTransient = (error: unknown) =>
  error instanceof KilnNetworkError || (error instanceof KilnApiError && error.status === 503);

/**
 * Follows an SSE route, reconnecting with `Last-Event-ID` whenever the connection drops before
 * the last event. Attempts that deliver nothing count towards `maxAttempts`; an event resets it.
 * Events at or before the last id seen are skipped, so a resumed stream never repeats one.
 *
 * It ends when the server ends the stream right after an event that `canEnd`: the server decides
 * which terminal event is the job's current end. A connection that drops after such an event
 * reconnects like any other; the server then answers with the rest of the job's life, or with the
 * terminal job's snapshot and an end.
 */
export async function* followEventStream(
  transport: Transport,
  { path, canEnd }: StreamSpec,
  options: FollowOptions = {},
): AsyncGenerator<TypedJobEvent, void, undefined> {
  const { signal } = options;
  const maxAttempts = options.reconnect?.maxAttempts ?? 8;
  const backoff = {
    initialDelayMs: options.reconnect?.initialDelayMs ?? 500,
    maxDelayMs: options.reconnect?.maxDelayMs ?? 10_000,
  };
  let lastEventId = options.lastEventId;
  let retryHintMs: number | undefined;
  let failures = 0;
  // Whether the last event delivered, on this connection or an earlier one, can end the stream.
  let atEnd = false;

  for (;;) {
    let delivered = false;
    let cause: unknown;
    try {
      const response = await transport.stream({
        method: "GET",
        path,
        signal,
        headers: { accept: "text/event-stream", ...(lastEventId && { "last-event-id": lastEventId }) },
      });
      if (!response.body) throw new KilnNetworkError("The event stream answered without a body");
      const messages = readSseMessages(response.body, {
        idleTimeoutMs: options.idleTimeoutMs ?? 45_000,
        onRetry: (ms) => {
          retryHintMs = ms;
        },
      });
      for await (const message of messages) {
        // Messages already read may still be buffered: none is delivered after an abort.
        signal?.throwIfAborted();
        const event = toJobEvent(message);
        if (!event) continue;
        // A snapshot may share its id with the event it summarizes; anything else at or before
        // the last id seen was already delivered.
        const seen =
          lastEventId !== undefined &&
          isEventId(event.id) &&
          isEventId(lastEventId) &&
          compareEventIds(event.id, lastEventId) <= 0;
        if (event.type !== "content_job.status" && seen) continue;
        lastEventId = event.id;
        delivered = true;
        failures = 0;
        yield event;
        atEnd = canEnd(event);
      }
      if (atEnd) return;
      cause = new KilnNetworkError("The server ended the event stream before its last event");
    } catch (error) {
      if (signal?.aborted) throw signal.reason;
      if (!isTransient(error)) throw error;
      cause = error;
    }
    if (!delivered) failures++;
    if (failures >= maxAttempts) {
      throw new KilnNetworkError(`Gave up following ${path} after ${failures} attempts`, { cause });
    }
    await sleep(Math.max(retryHintMs ?? 0, backoffDelay(Math.max(0, failures - 1), backoff)), signal);
  }
}
