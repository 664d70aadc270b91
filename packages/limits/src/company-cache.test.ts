import { silentLogger } from "@kiln/core";
import { describe, expect, it } from "vitest";
import { createCompanyCache } from "./company-cache.ts";

/** A source of values per company whose answers the test releases by hand. */
const controllableSource = () => {
  const values = new Map<string, number>();
  const pending: { companyId: string; resolve(value: number): void; reject(error: Error): void }[] = [];
  return {
    values,
    pending,
    lookups: () => pending.length,
    lookup: (companyId: string) =>
      new Promise<number>((resolve, reject) => pending.push({ companyId, resolve, reject })),
    answer(index: number) {
      const call = pending[index]!;
      call.resolve(values.get(call.companyId) ?? 0);
    },
  };
};

describe("company cache", () => {
  it("concurrent reads share one lookup, and the value is reused within the ttl only", async () => {
    let clock = 0;
    const source = controllableSource();
    source.values.set("a", 5);
    const cache = createCompanyCache({
      name: "test",
      ...source,
      fallback: -1,
      ttlMs: 100,
      logger: silentLogger,
      now: () => clock,
    });
    const reads = [cache.get("a"), cache.get("a")];
    expect(source.lookups()).toBe(1);
    source.answer(0);
    expect(await Promise.all(reads)).toEqual([5, 5]);

    clock = 99;
    expect(await cache.get("a")).toBe(5);
    expect(source.lookups()).toBe(1);
    clock = 100;
    source.values.set("a", 6);
    const expired = cache.get("a");
    source.answer(1);
    expect(await expired).toBe(6);
  });

  it("after an invalidation, the next read looks up again, even one racing the change", async () => {
    const source = controllableSource();
    source.values.set("a", 1);
    const cache = createCompanyCache({ name: "test", ...source, fallback: -1, logger: silentLogger });
    const racing = cache.get("a");
    // The change commits and is announced while the old read is still in flight.
    source.values.set("a", 2);
    cache.invalidate("a");
    const fresh = cache.get("a");
    expect(source.lookups()).toBe(2);
    source.pending[0]!.resolve(1);
    source.answer(1);
    expect(await racing).toBe(1);
    expect(await fresh).toBe(2);
    // The racing read's old answer was not kept.
    expect(await cache.get("a")).toBe(2);
    expect(source.lookups()).toBe(2);

    cache.invalidateAll();
    void cache.get("a");
    expect(source.lookups()).toBe(3);
  });

  it("a failing source answers the last known value, else the fallback", async () => {
    let clock = 0;
    const source = controllableSource();
    source.values.set("a", 7);
    const cache = createCompanyCache({
      name: "test",
      ...source,
      fallback: -1,
      ttlMs: 10,
      logger: silentLogger,
      now: () => clock,
    });
    const first = cache.get("a");
    source.answer(0);
    expect(await first).toBe(7);

    clock = 20;
    const stale = cache.get("a");
    source.pending[1]!.reject(new Error("database down"));
    expect(await stale).toBe(7);

    const unknown = cache.get("b");
    source.pending[2]!.reject(new Error("database down"));
    expect(await unknown).toBe(-1);
  });

  it("forgets the least recently read companies beyond its size", async () => {
    const source = controllableSource();
    const cache = createCompanyCache({
      name: "test",
      ...source,
      fallback: -1,
      maxEntries: 2,
      logger: silentLogger,
    });
    for (const [index, companyId] of ["a", "b", "c"].entries()) {
      const read = cache.get(companyId);
      source.answer(index);
      await read;
    }
    void cache.get("c");
    expect(source.lookups()).toBe(3);
    void cache.get("a");
    expect(source.lookups()).toBe(4);
  });
});
