export * from "./control-channel.ts";
export * from "./events/event-hub.ts";
export * from "./events/event-keys.ts";
export * from "./events/event-log.ts";
export * from "./events/stream-id.ts";
export * from "./job-queues.ts";
export * from "./leader-lease.ts";
export * from "./redis-connection.ts";
