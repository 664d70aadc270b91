import { type BroadcastListener, createBroadcastPublisher, listenForBroadcasts } from "./broadcast.ts";
import type { RedisClient } from "./redis-connection.ts";

/** Revoked API keys, broadcast to every API instance so each ends the streams the key opened. */
const channelOf = (prefix: string) => `${prefix}:api-keys:revoked`;

export interface KeyRevocationPublisherOptions {
  redis: RedisClient;
  /** Redis key prefix. Default `kiln`. */
  prefix?: string;
  /** How long a publish may take before it counts as failed. Default 3000 ms. */
  timeoutMs?: number;
}

/** Broadcasts a revoked key to every API instance. */
export interface KeyRevocationPublisher {
  /** Resolves with how many API processes heard the revocation. */
  publish(keyId: string): Promise<number>;
}

export const createKeyRevocationPublisher = ({
  redis,
  prefix = "kiln",
  timeoutMs = 3_000,
}: KeyRevocationPublisherOptions): KeyRevocationPublisher => {
  const broadcast = createBroadcastPublisher<{ keyId: string }>({
    redis,
    channel: channelOf(prefix),
    timeoutMs,
  });
  return { publish: (keyId) => broadcast.publish({ keyId }) };
};

export interface KeyRevocationListenerOptions {
  /** The process's subscriber connection, shared with the event hub. */
  subscriber: RedisClient;
  /** Redis key prefix. Default `kiln`. */
  prefix?: string;
  onRevoked(keyId: string): void;
  /** The subscriber reconnected: revocations published meanwhile were missed; check again. */
  onResync(): void;
}

export type KeyRevocationListener = BroadcastListener;

export const listenForKeyRevocations = ({
  subscriber,
  prefix = "kiln",
  onRevoked,
  onResync,
}: KeyRevocationListenerOptions): KeyRevocationListener =>
  listenForBroadcasts({
    subscriber,
    channel: channelOf(prefix),
    parse: (message) => {
      const keyId = (message as { keyId?: unknown } | null)?.keyId;
      return typeof keyId === "string" ? keyId : undefined;
    },
    onMessage: onRevoked,
    onResync,
  });
