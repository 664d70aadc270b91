// What Kiln's tests share, none of it specific to Kiln's schema or services (those helpers live
// beside the code they build: the API's test harness in apps/api/src/testing, a Prisma client for
// a test database in @kiln/db/testing). Heavier pieces have subpaths of their own:
// `@kiln/testkit/databases` (PostgreSQL, vitest's inject), `@kiln/testkit/browser` (Playwright),
// `@kiln/testkit/redis` (a Redis Cluster, keys and channels on a node or a cluster) and
// `@kiln/testkit/s3` (an S3-compatible server).
export { freePort } from "./network/free-port.ts";
export { type ServedApp, serveFetch } from "./network/serve-fetch.ts";
export { startTcpProxy, type TcpProxy } from "./network/tcp-proxy.ts";
export { startTrapServer, type TrapServer } from "./network/trap-server.ts";
export { bundleProcessEntries } from "./processes/bundle-entries.ts";
export { repoRoot, type SpawnedProcess, spawnKilnProcess } from "./processes/spawn-process.ts";
export { readSse, type SseEvent } from "./sse/read-sse.ts";
export { sleep, waitUntil } from "./wait/wait-until.ts";
