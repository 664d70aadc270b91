import type { Redis } from "ioredis";
import { withTimeout } from "./redis-connection.ts";

/**
 * Revoked API keys, broadcast to every API instance so each ends the streams the key opened.
 * A plain (not sharded) channel: every instance must hear every revocation, whatever its slot.
 */
const channelOf = (prefix: string) => `${prefix}:api-keys:revoked`;

export interface KeyRevocationPublisherOptions {
  redis: Redis;
  /** Redis key prefix. Default `kiln`. */
  prefix?: string;
  /** How long a publish may take before it counts as failed. Default 3000 ms. */
  timeoutMs?: number;
}

export const createKeyRevocationPublisher = ({
  redis,
  prefix = "kiln",
  timeoutMs = 3_000,
}: KeyRevocationPublisherOptions) => ({
  /** Resolves with how many API processes heard the revocation. */
  publish: (keyId: string): Promise<number> =>
    withTimeout(redis.publish(channelOf(prefix), JSON.stringify({ keyId })), timeoutMs, "revocation publish"),
});

export type KeyRevocationPublisher = ReturnType<typeof createKeyRevocationPublisher>;

export interface KeyRevocationListenerOptions {
  /**
   * The process's subscriber connection, shared with the event hub: ioredis dispatches every
   * message to every listener, and each keeps to its own channels.
   */
  subscriber: Redis;
  /** Redis key prefix. Default `kiln`. */
  prefix?: string;
  onRevoked(keyId: string): void;
  /** The subscriber reconnected: revocations published meanwhile were missed; check again. */
  onResync(): void;
}

export interface KeyRevocationListener {
  /** Resolves once the channel is subscribed (it rejects if Redis refuses). */
  ready: Promise<void>;
  /** Stops listening; the shared connection stays open for its other users. */
  close(): Promise<void>;
}

export const listenForKeyRevocations = ({
  subscriber,
  prefix = "kiln",
  onRevoked,
  onResync,
}: KeyRevocationListenerOptions): KeyRevocationListener => {
  const channel = channelOf(prefix);
  const onMessage = (from: string, message: string) => {
    if (from !== channel) return;
    try {
      const { keyId } = JSON.parse(message) as { keyId?: unknown };
      if (typeof keyId === "string") onRevoked(keyId);
    } catch {
      // Only Kiln's API publishes here; a malformed message names no key.
    }
  };
  // ioredis resubscribes by itself after a reconnect, but what was published in between is lost.
  let readyOnce = subscriber.status === "ready";
  const onReady = () => {
    if (readyOnce) onResync();
    readyOnce = true;
  };
  subscriber.on("message", onMessage);
  subscriber.on("ready", onReady);
  const ready = subscriber.subscribe(channel).then(() => undefined);
  ready.catch(() => {});
  return {
    ready,
    async close() {
      subscriber.off("message", onMessage);
      subscriber.off("ready", onReady);
      if (subscriber.status === "ready") await subscriber.unsubscribe(channel).catch(() => {});
    },
  };
};
