import { masterOfKey, scanRedisKeys, slotOfKey } from "@kiln/testkit/redis";
import type { Cluster, Redis } from "ioredis";
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

const nameOf = (node: Redis) => `${node.options.host}:${node.options.port}`;

/** The slot Redis Cluster stores a key (or a sharded channel) in. */
export const keySlot = (h: TestHarness, key: string): Promise<number> => slotOfKey(clusterOf(h), key);

/** `host:port` of the master owning a key's slot. */
export const ownerOfKey = async (h: TestHarness, key: string): Promise<string> =>
  nameOf(await masterOfKey(clusterOf(h), key));

/** The keys matching `pattern` on each master that has some, by `host:port`. */
export const keysByNode = async (h: TestHarness, pattern: string): Promise<Map<string, string[]>> => {
  const found = new Map<string, string[]>();
  for (const node of clusterOf(h).nodes("master")) {
    const keys = await scanRedisKeys(node, pattern);
    if (keys.length > 0) found.set(nameOf(node), keys);
  }
  return found;
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
