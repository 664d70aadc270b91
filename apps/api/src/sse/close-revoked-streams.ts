import type { Logger } from "@kiln/core";
import type { CompanyStore } from "@kiln/db";
import { listenForKeyRevocations, type RedisClient } from "@kiln/queue";
import type { SseRegistry } from "./sse-registry.ts";

export interface CloseRevokedStreamsOptions {
  /** The process's one subscriber connection (shared with the event hub). */
  subscriber: RedisClient;
  prefix: string;
  sse: SseRegistry;
  companies: Pick<CompanyStore, "inactiveApiKeyIds">;
  logger: Logger;
  /**
   * How often the keys of open streams are checked in PostgreSQL, should a broadcast be missed
   * (Redis unreachable while a key was revoked). Default 30 000 ms.
   */
  sweepMs?: number;
}

/**
 * Ends this instance's streams of a revoked key: at once when the revocation is broadcast
 * through Redis, and otherwise by checking the keys of open streams after a subscriber
 * reconnect and every `sweepMs` (one indexed read, only while streams are open).
 */
export const closeRevokedStreams = ({
  subscriber,
  prefix,
  sse,
  companies,
  logger,
  sweepMs = 30_000,
}: CloseRevokedStreamsOptions) => {
  const closeKey = (keyId: string) =>
    sse.closeByKey(keyId).then((count) => {
      if (count > 0) logger.info({ keyId, streams: count }, "ended the streams of a revoked key");
    });
  let sweeping = false;
  const sweep = async () => {
    const keyIds = sse.keyIds();
    if (sweeping || keyIds.length === 0) return;
    sweeping = true;
    try {
      for (const keyId of await companies.inactiveApiKeyIds(keyIds)) await closeKey(keyId);
    } catch (error) {
      logger.warn({ err: error }, "could not check the keys of open streams");
    } finally {
      sweeping = false;
    }
  };
  const listener = listenForKeyRevocations({
    subscriber,
    prefix,
    onRevoked: (keyId) => void closeKey(keyId),
    onResync: () => void sweep(),
  });
  const timer = setInterval(() => void sweep(), sweepMs);
  timer.unref();
  return {
    /** Resolves once revocations are heard. */
    ready: listener.ready,
    /** Checks every open stream's key now. */
    sweep,
    async close() {
      clearInterval(timer);
      await listener.close();
    },
  };
};
