export { channelSubscribers, masterOfKey, slotOfKey } from "./cluster-nodes.ts";
export { deleteRedisKeys, scanRedisKeys } from "./delete-keys.ts";
export {
  type RedisCluster,
  type RedisClusterNode,
  type RedisClusterOptions,
  startRedisCluster,
} from "./redis-cluster.ts";
