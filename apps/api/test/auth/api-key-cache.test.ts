import { randomBytes } from "node:crypto";
import { createKeyRevocationPublisher, createRedisConnection } from "@kiln/queue";
import { waitUntil } from "@kiln/testkit";
import { afterEach, describe, expect, it } from "vitest";
import { createApiKeyCache } from "../../src/auth/api-key-cache.ts";
import { testRedisUrl } from "../../src/testing/test-harness.ts";

/** A company store whose keys a test revokes, counting the lookups that reach it. */
const fakeStore = () => {
  const revoked = new Set<string>();
  const store = {
    lookups: 0,
    revoked,
    async authenticateApiKey(key: string) {
      store.lookups += 1;
      const keyId = `id-of-${key}`;
      return revoked.has(keyId) ? null : { companyId: "acme", keyId };
    },
    async isApiKeyActive(keyId: string, companyId: string) {
      store.lookups += 1;
      return !revoked.has(keyId) && companyId === "acme";
    },
  };
  return store;
};

const opened: { close(): Promise<void> | void }[] = [];
afterEach(async () => {
  for (const closable of opened.splice(0)) await closable.close();
});

const setUp = async (ttlMs = 60_000) => {
  const prefix = `kiln-test-keys-${randomBytes(4).toString("hex")}`;
  const subscriber = createRedisConnection({ url: testRedisUrl, blocking: true });
  const redis = createRedisConnection({ url: testRedisUrl });
  const store = fakeStore();
  const cache = createApiKeyCache({ companies: store, subscriber, prefix, ttlMs });
  opened.push(cache, { close: () => subscriber.disconnect() }, { close: () => redis.disconnect() });
  await cache.ready;
  /** Revokes in the store and broadcasts; resolves once this subscriber delivered the message. */
  const revoke = async (keyId: string) => {
    store.revoked.add(keyId);
    // Registered after the cache's listener, so the cache has heard it when this one does.
    const heard = new Promise((resolve) => subscriber.once("message", resolve));
    expect(await createKeyRevocationPublisher({ redis, prefix }).publish(keyId)).toBe(1);
    await heard;
  };
  return { cache, store, subscriber, revoke };
};

describe("the API key cache", () => {
  it("reads an active key once, and forgets it when its revocation is heard", async () => {
    const { cache, store, revoke } = await setUp();
    expect(await cache.authenticate("k1")).toEqual({ companyId: "acme", keyId: "id-of-k1" });
    expect(await cache.isActive("id-of-k1", "acme")).toBe(true);
    expect(await cache.authenticate("k1")).toEqual({ companyId: "acme", keyId: "id-of-k1" });
    expect(await cache.isActive("id-of-k1", "acme")).toBe(true);
    expect(await cache.isActive("id-of-k1", "other")).toBe(false);
    expect(store.lookups).toBe(2);

    await revoke("id-of-k1");
    expect(await cache.authenticate("k1")).toBeNull();
    expect(await cache.isActive("id-of-k1", "acme")).toBe(false);
  });

  it("this instance's own revocation applies before anything is heard", async () => {
    const { cache, store } = await setUp();
    await cache.authenticate("k2");
    store.revoked.add("id-of-k2");
    cache.forget("id-of-k2");
    expect(await cache.authenticate("k2")).toBeNull();
  });

  it("remembers no unknown or revoked key, and nothing past its ttl", async () => {
    const { cache, store } = await setUp(50);
    store.revoked.add("id-of-gone");
    await cache.authenticate("gone");
    await cache.authenticate("gone");
    expect(store.lookups).toBe(2);
    await cache.authenticate("k3");
    await new Promise((resolve) => setTimeout(resolve, 60));
    await cache.authenticate("k3");
    expect(store.lookups).toBe(4);
  });

  it("a lookup that a revocation overtook is not remembered", async () => {
    const { cache, store, revoke } = await setUp();
    const slow = store.authenticateApiKey;
    let release: (() => void) | undefined;
    store.authenticateApiKey = async (key) => {
      await new Promise<void>((resolve) => {
        release = resolve;
      });
      return slow(key);
    };
    const pending = cache.authenticate("k4");
    await waitUntil(() => release !== undefined, 1_000, "the lookup to start");
    // Read as active, but a revocation (of any key) was heard before the read came back.
    await revoke("other-key");
    release?.();
    expect(await pending).toEqual({ companyId: "acme", keyId: "id-of-k4" });
    store.authenticateApiKey = slow;
    await cache.authenticate("k4");
    expect(store.lookups).toBe(2);
  });

  it("while it cannot hear revocations it trusts nothing it remembers, and forgets it all once it hears again", async () => {
    const { cache, store, subscriber } = await setUp();
    await cache.authenticate("k5");
    subscriber.disconnect(true);
    await waitUntil(() => subscriber.status !== "ready", 2_000, "the subscriber to drop");
    await cache.authenticate("k5");
    await cache.authenticate("k5");
    expect(store.lookups).toBe(3);
    await waitUntil(() => subscriber.status === "ready", 5_000, "the subscriber to reconnect");
    // Heard again: what it remembered from before is gone, what it reads now is remembered.
    await cache.authenticate("k5");
    await cache.authenticate("k5");
    expect(store.lookups).toBe(4);
  });
});
