import type { JobEvent, Logger } from "@kiln/core";
import { silentLogger } from "@kiln/core";
import { onChannelMessage, onResubscribed, subscribeTo, unsubscribeFrom } from "../pubsub.ts";
import type { RedisClient } from "../redis-connection.ts";
import { eventKeys } from "./event-keys.ts";
import { parseLiveMessage } from "./event-log.ts";

export interface EventListener {
  onEvent(event: JobEvent): void;
  /** The subscriber reconnected: live events may have been missed; replay from the last id seen. */
  onResync(): void;
}

export interface EventHubOptions {
  /** A dedicated connection: once subscribed, it can do nothing else. */
  subscriber: RedisClient;
  /** Redis key prefix. Default `kiln`. */
  prefix?: string;
  logger?: Logger;
}

export interface EventHubStats {
  /** Redis channels this process is subscribed to. */
  channels: number;
  /** In-memory listeners (SSE clients). */
  listeners: number;
}

/**
 * One Redis subscriber per process, fanned out in memory: SSE clients add listeners here
 * instead of opening connections. A company's channel is subscribed while it has listeners.
 */
export interface EventHub {
  /** Resolves once the channel is subscribed, so nothing published afterwards is missed. */
  subscribeCompany(companyId: string, listener: EventListener): Promise<() => void>;
  stats(): EventHubStats;
  close(): Promise<void>;
}

export const createEventHub = ({
  subscriber,
  prefix = "kiln",
  logger = silentLogger,
}: EventHubOptions): EventHub => {
  const keys = eventKeys(prefix);
  const listeners = new Map<string, Set<EventListener>>();
  const pending = new Map<string, Promise<unknown>>();

  onChannelMessage(subscriber, (channel, message) => {
    const set = listeners.get(channel);
    if (!set || set.size === 0) return;
    let event: JobEvent;
    try {
      event = parseLiveMessage(message);
    } catch (error) {
      logger.warn({ err: error, channel }, "dropped a malformed live event");
      return;
    }
    for (const listener of set) listener.onEvent(event);
  });

  // ioredis resubscribes by itself after a reconnect; what was published in between is only in the
  // streams, so every listener is told to replay.
  onResubscribed(subscriber, () => {
    for (const set of listeners.values()) for (const listener of set) listener.onResync();
  });

  const release = async (channel: string, listener: EventListener) => {
    const set = listeners.get(channel);
    if (!set?.delete(listener) || set.size > 0) return;
    listeners.delete(channel);
    await pending.get(channel);
    if (!listeners.has(channel)) await unsubscribeFrom(subscriber, channel).catch(() => {});
  };

  return {
    async subscribeCompany(companyId, listener) {
      const channel = keys.companyChannel(companyId);
      let set = listeners.get(channel);
      if (!set) {
        set = new Set();
        listeners.set(channel, set);
        const subscribing = subscribeTo(subscriber, channel);
        pending.set(channel, subscribing);
        subscribing.finally(() => pending.delete(channel)).catch(() => {});
      }
      set.add(listener);
      try {
        await pending.get(channel);
      } catch (error) {
        await release(channel, listener);
        throw error;
      }
      let released = false;
      return () => {
        if (released) return;
        released = true;
        void release(channel, listener);
      };
    },
    stats() {
      let count = 0;
      for (const set of listeners.values()) count += set.size;
      return { channels: listeners.size, listeners: count };
    },
    async close() {
      listeners.clear();
      await subscriber.quit().catch(() => subscriber.disconnect());
    },
  };
};
