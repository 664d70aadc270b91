import { afterAll, expect } from "vitest";
import { createDocumentPdfRenderer } from "../document-pdf/index.ts";
import { BrowserPool } from "./browser-pool.ts";
import { findChromiumProcesses } from "./chromium-processes.ts";

/**
 * For a test file: `createPool()` makes a pool and a document.pdf renderer on it; after the file,
 * every pool is closed and must have left no Chromium process behind. Its pools open no spare page
 * unless a test asks (`sparePage: true`): a spare is a context, about a CPU-second of Chromium's,
 * that a test's last render would leave unused.
 */
export const trackPools = () => {
  const pools: BrowserPool[] = [];
  afterAll(async () => {
    await Promise.all(pools.map((pool) => pool.close()));
    for (const pool of pools) expect(await findChromiumProcesses(`${pool.poolId}/`)).toEqual([]);
  });
  return (options: ConstructorParameters<typeof BrowserPool>[0] = {}) => {
    const pool = new BrowserPool({ sparePage: false, ...options });
    pools.push(pool);
    return { pool, renderer: createDocumentPdfRenderer({ pool }) };
  };
};
