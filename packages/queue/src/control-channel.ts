import { onChannelMessage, publishTo, subscribeTo } from "./pubsub.ts";
import { type RedisClient, withTimeout } from "./redis-connection.ts";

/** Commands from the API to every worker, wherever they run. */
export type ControlCommand = { type: "cancel"; jobId: string; jobType: string };

const channelOf = (prefix: string) => `${prefix}:control`;

export interface ControlPublisherOptions {
  redis: RedisClient;
  /** Redis key prefix. Default `kiln`. */
  prefix?: string;
}

/** The API's side of the control channel. */
export interface ControlPublisher {
  /** Resolves with how many worker processes received the command (none listening: `0`). */
  publish(command: ControlCommand): Promise<number>;
}

export const createControlPublisher = ({
  redis,
  prefix = "kiln",
}: ControlPublisherOptions): ControlPublisher => ({
  publish: (command) =>
    withTimeout(publishTo(redis, channelOf(prefix), JSON.stringify(command)), 3_000, "control publish"),
});

export interface ControlSubscriberOptions {
  /** A dedicated connection: it is closed with the subscription. */
  subscriber: RedisClient;
  prefix?: string;
  onCommand(command: ControlCommand): void;
}

/** A worker's side of the control channel. */
export interface ControlSubscription {
  /** Stops listening and closes the subscriber connection. */
  close(): Promise<void>;
}

/** Resolves once subscribed: from then on every command reaches `onCommand`. */
export const subscribeToControl = async ({
  subscriber,
  prefix = "kiln",
  onCommand,
}: ControlSubscriberOptions): Promise<ControlSubscription> => {
  const channel = channelOf(prefix);
  onChannelMessage(subscriber, (from, message) => {
    if (from !== channel) return;
    try {
      onCommand(JSON.parse(message) as ControlCommand);
    } catch {
      // A malformed command is ignored: commands come only from Kiln's own API.
    }
  });
  await subscribeTo(subscriber, channel);
  return { close: () => subscriber.quit().then(() => undefined) };
};
