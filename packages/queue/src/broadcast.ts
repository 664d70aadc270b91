import { onChannelMessage, onResubscribed, publishTo, subscribeTo, unsubscribeFrom } from "./pubsub.ts";
import { type RedisClient, withTimeout } from "./redis-connection.ts";

/**
 * Messages every API instance must hear (a revoked key, changed limits), on one channel every
 * instance subscribes to (on a cluster: sharded, on the shard owning the channel's slot). Redis
 * pub/sub keeps nothing, so a listener that reconnects is told to resync (re-check whatever it may
 * have missed).
 */

export interface BroadcastPublisherOptions {
  redis: RedisClient;
  channel: string;
  /** How long a publish may take before it counts as failed. Default 3000 ms. */
  timeoutMs?: number;
}

export const createBroadcastPublisher = <T>({
  redis,
  channel,
  timeoutMs = 3_000,
}: BroadcastPublisherOptions) => ({
  /** Resolves with how many processes heard the message. */
  publish: (message: T): Promise<number> =>
    withTimeout(publishTo(redis, channel, JSON.stringify(message)), timeoutMs, `publish on ${channel}`),
});

export interface BroadcastListenerOptions<T> {
  /**
   * The process's subscriber connection, shared with the event hub: ioredis dispatches every
   * message to every listener, and each keeps to its own channels.
   */
  subscriber: RedisClient;
  channel: string;
  /** Reads a message; `undefined` ignores it (only Kiln publishes here, so that is never expected). */
  parse(message: unknown): T | undefined;
  onMessage(message: T): void;
  /** The subscriber reconnected: messages published meanwhile were missed. */
  onResync(): void;
}

export interface BroadcastListener {
  /** Resolves once the channel is subscribed (it rejects if Redis refuses). */
  ready: Promise<void>;
  /** Stops listening; the shared connection stays open for its other users. */
  close(): Promise<void>;
}

export const listenForBroadcasts = <T>({
  subscriber,
  channel,
  parse,
  onMessage,
  onResync,
}: BroadcastListenerOptions<T>): BroadcastListener => {
  const onAnyMessage = (from: string, raw: string) => {
    if (from !== channel) return;
    let message: T | undefined;
    try {
      message = parse(JSON.parse(raw));
    } catch {
      message = undefined;
    }
    if (message !== undefined) onMessage(message);
  };
  // ioredis resubscribes by itself after a reconnect, but what was published in between is lost.
  const stopMessages = onChannelMessage(subscriber, onAnyMessage);
  const stopResync = onResubscribed(subscriber, onResync);
  const ready = subscribeTo(subscriber, channel);
  ready.catch(() => {});
  return {
    ready,
    async close() {
      stopMessages();
      stopResync();
      if (subscriber.status === "ready") await unsubscribeFrom(subscriber, channel).catch(() => {});
    },
  };
};
