import type { Redis } from "ioredis";
import { withTimeout } from "./redis-connection.ts";

/** Commands from the API to every worker, wherever they run. */
export type ControlCommand = { type: "cancel"; jobId: string; jobType: string };

const channelOf = (prefix: string) => `${prefix}:control`;

export interface ControlPublisherOptions {
  redis: Redis;
  /** Redis key prefix. Default `kiln`. */
  prefix?: string;
}

export const createControlPublisher = ({ redis, prefix = "kiln" }: ControlPublisherOptions) => ({
  /** Resolves with how many worker processes received the command. */
  publish: (command: ControlCommand): Promise<number> =>
    withTimeout(redis.publish(channelOf(prefix), JSON.stringify(command)), 3_000, "control publish"),
});

export interface ControlSubscriberOptions {
  /** A dedicated connection. */
  subscriber: Redis;
  prefix?: string;
  onCommand(command: ControlCommand): void;
}

export const subscribeToControl = async ({
  subscriber,
  prefix = "kiln",
  onCommand,
}: ControlSubscriberOptions) => {
  const channel = channelOf(prefix);
  subscriber.on("message", (from: string, message: string) => {
    if (from !== channel) return;
    try {
      onCommand(JSON.parse(message) as ControlCommand);
    } catch {
      // A malformed command is ignored: commands come only from Kiln's own API.
    }
  });
  await subscriber.subscribe(channel);
  return { close: () => subscriber.quit().then(() => undefined) };
};
