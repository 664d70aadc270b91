import { createParser, type EventSourceMessage } from "eventsource-parser";
import { KilnNetworkError } from "../errors.ts";

export interface ReadSseOptions {
  /** Called with each `retry:` value the server sends (its reconnection delay, in ms). */
  onRetry(ms: number): void;
  /** No byte (event or `: ping`) for this long means the connection is dead, in ms. */
  idleTimeoutMs: number;
}

/**
 * Yields the messages of one SSE response as they arrive. Returns when the server ends the stream;
 * throws `KilnNetworkError` when the connection drops or goes silent. Stopping early cancels it.
 */
export async function* readSseMessages(
  body: ReadableStream<Uint8Array>,
  { onRetry, idleTimeoutMs }: ReadSseOptions,
): AsyncGenerator<EventSourceMessage> {
  const pending: EventSourceMessage[] = [];
  const parser = createParser({ onEvent: (message) => pending.push(message), onRetry });
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let idle = false;
  let timer: NodeJS.Timeout | undefined;
  const armIdleTimer = () => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      idle = true;
      void reader.cancel().catch(() => {});
    }, idleTimeoutMs);
  };
  try {
    for (;;) {
      armIdleTimer();
      let chunk: ReadableStreamReadResult<Uint8Array>;
      try {
        chunk = await reader.read();
      } catch (error) {
        throw new KilnNetworkError("The event stream's connection dropped", { cause: error });
      }
      if (idle)
        throw new KilnNetworkError(`The event stream was silent for ${idleTimeoutMs} ms`, { timedOut: true });
      if (chunk.done) return;
      parser.feed(decoder.decode(chunk.value, { stream: true }));
      while (pending.length > 0) yield pending.shift() as EventSourceMessage;
    }
  } finally {
    clearTimeout(timer);
    await reader.cancel().catch(() => {});
  }
}
