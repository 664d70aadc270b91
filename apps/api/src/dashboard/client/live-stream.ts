import { jobEventTypes as eventTypes, type JobEventType } from "@kiln/core/event-types";

export type StreamState = "connecting" | "live" | "reconnecting" | "closed";

export interface StreamEvent {
  id: string;
  type: JobEventType;
  data: Record<string, unknown> & { jobId: string };
}

export interface LiveStreamOptions {
  /** The SSE route, without query. */
  path: string;
  /** A fresh stream token for each connection: they live only minutes. */
  mintToken: () => Promise<string>;
  /** Resume after this event id (`0-0`: from the stream's start). */
  lastEventId?: string;
  onEvent: (event: StreamEvent) => void;
  onState?: (state: StreamState) => void;
  /** The stream is over after this event (a job stream ends at its terminal event). */
  endsAfter?: (event: StreamEvent) => boolean;
}

const reconnectDelayMs = (attempt: number) => Math.min(5_000, 250 * 2 ** attempt);

/**
 * Follows an SSE route with EventSource. EventSource would reconnect by itself, but with the URL's
 * expired token; so each drop closes it, mints a new token and reopens with `lastEventId` set to the
 * last event seen, which the API replays from. No polling: a connection is only reopened after a drop.
 */
export const openLiveStream = (options: LiveStreamOptions) => {
  let lastEventId = options.lastEventId;
  let source: EventSource | undefined;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let attempt = 0;
  let closed = false;
  const setState = (state: StreamState) => options.onState?.(state);

  const close = () => {
    closed = true;
    clearTimeout(timer);
    source?.close();
    setState("closed");
  };

  const retry = () => {
    if (closed) return;
    setState("reconnecting");
    timer = setTimeout(connect, reconnectDelayMs(attempt++));
  };

  const handle = (message: MessageEvent<string>, type: JobEventType) => {
    if (message.lastEventId) lastEventId = message.lastEventId;
    let data: StreamEvent["data"];
    try {
      data = JSON.parse(message.data) as StreamEvent["data"];
    } catch {
      return;
    }
    const event = { id: message.lastEventId, type, data };
    options.onEvent(event);
    if (options.endsAfter?.(event)) close();
  };

  async function connect() {
    if (closed) return;
    let token: string;
    try {
      token = await options.mintToken();
    } catch {
      retry();
      return;
    }
    if (closed) return;
    const query = new URLSearchParams({ access_token: token });
    if (lastEventId) query.set("lastEventId", lastEventId);
    const opened = new EventSource(`${options.path}?${query}`);
    source = opened;
    opened.onopen = () => {
      attempt = 0;
      setState("live");
    };
    opened.onerror = () => {
      opened.close();
      retry();
    };
    for (const type of eventTypes) {
      opened.addEventListener(type, (message) => handle(message as MessageEvent<string>, type));
    }
  }

  setState("connecting");
  void connect();
  return { close };
};
