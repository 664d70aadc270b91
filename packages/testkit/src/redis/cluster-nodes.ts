import type { Cluster, Redis } from "ioredis";

/** The slot a cluster stores a key (or a sharded channel) in, as the cluster computes it. */
export const slotOfKey = async (cluster: Cluster, key: string): Promise<number> =>
  Number(await cluster.cluster("KEYSLOT", key));

/** The client of the master that owns a key's slot, as the cluster's slot table says. */
export const masterOfKey = async (cluster: Cluster, key: string): Promise<Redis> => {
  const slot = await slotOfKey(cluster, key);
  // Each range: first slot, last slot, then its master [host, port, id, …] and any replicas.
  const master = (await cluster.cluster("SLOTS")).find(([first, last]) => first <= slot && slot <= last)?.[2];
  const node = cluster
    .nodes("master")
    .find(({ options }) => master && options.host === master[0] && options.port === master[1]);
  if (!node) throw new Error(`no master known for slot ${slot}`);
  return node;
};

/**
 * Subscribers of a pub/sub channel: plain on a node (PUBSUB NUMSUB); sharded on a cluster, asked
 * of the master that owns the channel's slot (PUBSUB SHARDNUMSUB: the others do not know).
 */
export const channelSubscribers = async (redis: Redis | Cluster, channel: string): Promise<number> => {
  const [, count] = redis.isCluster
    ? ((await (await masterOfKey(redis as Cluster, channel)).call("PUBSUB", "SHARDNUMSUB", channel)) as [
        string,
        number,
      ])
    : ((await redis.call("PUBSUB", "NUMSUB", channel)) as [string, number]);
  return Number(count);
};
