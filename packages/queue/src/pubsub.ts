import type { RedisClient } from "./redis-connection.ts";

/**
 * Pub/sub on either kind of connection. On a cluster it is sharded (SPUBLISH / SSUBSCRIBE): a
 * channel lives on the shard that owns its slot, and ioredis keeps one subscriber per shard, where
 * plain PUBLISH would be copied to every node over the cluster bus. On a single node it stays plain
 * PUBLISH / SUBSCRIBE, which sharding would not improve and which every Redis version has.
 */

/** The command Lua scripts publish with (see event-log.ts). */
export const publishCommandOf = (redis: RedisClient): "SPUBLISH" | "PUBLISH" =>
  redis.isCluster ? "SPUBLISH" : "PUBLISH";

/** Resolves with how many subscribers heard the message (on a cluster: on the channel's shard). */
export const publishTo = async (redis: RedisClient, channel: string, message: string): Promise<number> =>
  Number(await (redis.isCluster ? redis.spublish(channel, message) : redis.publish(channel, message)));

/** Resolves once subscribed. On a cluster a call's channels must share a slot (one channel is fine). */
export const subscribeTo = async (subscriber: RedisClient, channel: string): Promise<void> => {
  await (subscriber.isCluster ? subscriber.ssubscribe(channel) : subscriber.subscribe(channel));
};

export const unsubscribeFrom = async (subscriber: RedisClient, channel: string): Promise<void> => {
  await (subscriber.isCluster ? subscriber.sunsubscribe(channel) : subscriber.unsubscribe(channel));
};

/** Calls `onMessage` for every message the connection receives; returns the way to stop. */
export const onChannelMessage = (
  subscriber: RedisClient,
  onMessage: (channel: string, message: string) => void,
): (() => void) => {
  const event = subscriber.isCluster ? "smessage" : "message";
  subscriber.on(event, onMessage);
  return () => subscriber.off(event, onMessage);
};

/**
 * Calls `onResubscribed` each time the connection's subscriptions were restored after they were
 * lost (what was published in between was missed; ioredis resubscribes by itself): a node's
 * connection is ready again after its first time; a cluster rebuilt its shard subscribers (a node
 * dropped, the slots moved). Returns the way to stop.
 */
export const onResubscribed = (subscriber: RedisClient, onResubscribed: () => void): (() => void) => {
  if (subscriber.isCluster) {
    subscriber.on("subscribersReady", onResubscribed);
    return () => subscriber.off("subscribersReady", onResubscribed);
  }
  let readyOnce = subscriber.status === "ready";
  const onReady = () => {
    if (readyOnce) onResubscribed();
    readyOnce = true;
  };
  subscriber.on("ready", onReady);
  return () => subscriber.off("ready", onReady);
};
