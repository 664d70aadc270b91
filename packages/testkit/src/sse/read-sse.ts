import { createParser, type EventSourceMessage } from "eventsource-parser";

export interface SseEvent {
  id?: string;
  event: string;
  data: Record<string, unknown> & { jobId?: string; job?: Record<string, unknown> };
}

/**
 * Reads an SSE response as a client would. `until` decides when to stop reading early (the stream
 * may also end by itself); `timeoutMs` bounds the wait.
 */
export const readSse = async (
  response: Response,
  {
    until,
    timeoutMs = 20_000,
    onEvent,
  }: {
    until?: (event: SseEvent, all: SseEvent[]) => boolean;
    timeoutMs?: number;
    onEvent?: (event: SseEvent) => void;
  } = {},
): Promise<{
  events: SseEvent[];
  ended: boolean;
  comments: string[];
  /** Every `retry:` value the server sent, in ms. */
  retries: number[];
  lost: boolean;
}> => {
  const events: SseEvent[] = [];
  const comments: string[] = [];
  const retries: number[] = [];
  let stop = false;
  const parser = createParser({
    onEvent(message: EventSourceMessage) {
      const event = { id: message.id, event: message.event ?? "message", data: JSON.parse(message.data) };
      events.push(event);
      onEvent?.(event);
      if (until?.(event, events)) stop = true;
    },
    onComment(comment) {
      comments.push(comment.trim());
    },
    onRetry(ms) {
      retries.push(ms);
    },
  });
  const reader = response.body!.getReader();
  const decoder = new TextDecoder();
  const deadline = setTimeout(() => {
    stop = true;
    void reader.cancel();
  }, timeoutMs);
  let ended = false;
  let lost = false;
  try {
    while (!stop) {
      // A server that dies mid-stream surfaces as a read error: the connection is simply gone.
      const result = await reader.read().catch(() => null);
      if (result === null) {
        lost = true;
        break;
      }
      const { done, value } = result;
      if (done) {
        ended = !stop;
        break;
      }
      parser.feed(decoder.decode(value, { stream: true }));
    }
  } finally {
    clearTimeout(deadline);
    if (!ended && !lost) await reader.cancel().catch(() => {});
  }
  return { events, ended, comments, retries, lost };
};
