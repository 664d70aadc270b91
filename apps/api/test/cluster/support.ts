import type { Cluster } from "ioredis";
import { expect } from "vitest";
import type { TestHarness } from "../../src/testing/test-harness.ts";

export interface TestCompany {
  companyId: string;
  key: string;
}

// Jobs are submitted and read as in the fault tests.
export { getJob, submitJob } from "../faults/support.ts";

/** The cluster client of a harness started with a cluster's `redisUrl`. */
export const clusterOf = (h: TestHarness): Cluster => {
  expect(h.redis.isCluster).toBe(true);
  return h.redis as Cluster;
};

/** The slot Redis Cluster stores a key (or a sharded channel) in, as the cluster computes it. */
export const keySlot = async (h: TestHarness, key: string): Promise<number> =>
  Number(await clusterOf(h).cluster("KEYSLOT", key));

/** `host:port` of the master owning a slot, as the cluster's slot table says. */
export const ownerOfSlot = async (h: TestHarness, slot: number): Promise<string> => {
  const ranges = await clusterOf(h).cluster("SLOTS");
  // Each range: first slot, last slot, then its master [host, port, id, …] and any replicas.
  const master = ranges.find(([first, last]) => first <= slot && slot <= last)?.[2];
  if (!master) throw new Error(`no node owns slot ${slot}`);
  return `${master[0]}:${master[1]}`;
};

/** The keys matching `pattern` on each master, by `host:port`. */
export const keysByNode = async (h: TestHarness, pattern: string): Promise<Map<string, string[]>> => {
  const found = new Map<string, string[]>();
  for (const node of clusterOf(h).nodes("master")) {
    const keys: string[] = [];
    let cursor = "0";
    do {
      const [next, batch] = await node.scan(cursor, "MATCH", pattern, "COUNT", 1000);
      cursor = next;
      keys.push(...batch);
    } while (cursor !== "0");
    if (keys.length > 0) found.set(`${node.options.host}:${node.options.port}`, keys);
  }
  return found;
};

/** Subscribers of a sharded channel, asked of the master that owns its slot (others do not know). */
export const shardSubscribers = async (h: TestHarness, channel: string): Promise<number> => {
  const owner = await ownerOfSlot(h, await keySlot(h, channel));
  const node = clusterOf(h)
    .nodes("master")
    .find(({ options }) => `${options.host}:${options.port}` === owner);
  if (!node) throw new Error(`no client for the master ${owner}`);
  const [, count] = (await node.call("PUBSUB", "SHARDNUMSUB", channel)) as [string, number];
  return Number(count);
};

export const openJobStream = (
  h: Pick<TestHarness, "request">,
  company: TestCompany,
  jobId: string,
  lastEventId?: string,
) =>
  h.request("GET", `/api/companies/${company.companyId}/content-jobs/${jobId}/events`, {
    key: company.key,
    headers: lastEventId ? { "last-event-id": lastEventId } : {},
  });

export const openCompanyStream = (
  h: Pick<TestHarness, "request">,
  company: TestCompany,
  lastEventId?: string,
) =>
  h.request("GET", `/api/companies/${company.companyId}/events`, {
    key: company.key,
    headers: lastEventId ? { "last-event-id": lastEventId } : {},
  });
