import { afterAll, expect } from "vitest";
import { createDocumentPdfRenderer } from "../document-pdf/index.ts";
import { BrowserPool } from "./browser-pool.ts";
import { findChromiumProcesses } from "./chromium-processes.ts";

/**
 * For a test file: `createPool()` makes a pool and a document.pdf renderer on it; after the file,
 * every pool is closed and must have left no Chromium process behind.
 */
export const trackPools = () => {
  const pools: BrowserPool[] = [];
  afterAll(async () => {
    await Promise.all(pools.map((pool) => pool.close()));
    for (const pool of pools) expect(await findChromiumProcesses(`${pool.poolId}/`)).toEqual([]);
  });
  return (options: ConstructorParameters<typeof BrowserPool>[0] = {}) => {
    const pool = new BrowserPool(options);
    pools.push(pool);
    return { pool, renderer: createDocumentPdfRenderer({ pool }) };
  };
};
