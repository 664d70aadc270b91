import { configDefaults, defineConfig } from "vitest/config";
import { LongPolesFirst } from "./test/long-poles-first.ts";

// Projects; `npm test` runs them all, `npx vitest run --project unit` (or renderers, integration,
// processes) one of them. `unit`, `renderers` and `processes` list their files below; `integration`
// is the rest:
// - unit: needs nothing running (no PostgreSQL, Redis, Chromium or Kiln process). No global setup.
// - renderers: the renderers' tests, each file in a process of its own, first and apart: they
//   measure their own CPU time and memory, and many launch Chromium. `cpu-bounds` are the renderers'
//   tests that bound their CPU time most tightly; they run last, one at a time.
// - processes: starts processes of its own: a Kiln API or worker it kills or signals, the CLI,
//   npm, tsx, a Redis build.
// - integration: the rest, in-process against the real PostgreSQL and Redis (a database copied
//   from the run's template per file, a Redis key prefix per file).
// Files run one after another in each worker process and share what it has loaded (isolate: false):
// loading the API's modules again for every file cost more than the tests themselves. So a file
// must leave no global state behind: close what it opens, restore mocks and environment variables.

/** Pure tests, by package where a package has nothing else. */
const unit = [
  "packages/core/**/*.test.ts",
  "packages/storage/**/*.test.ts",
  "packages/queue/src/redis-errors.test.ts",
  "packages/queue/src/hash-tags.test.ts",
  "packages/db/src/database-errors.test.ts",
  "packages/jobs/src/lifecycle/**/*.test.ts",
  "packages/limits/src/company-cache.test.ts",
  "packages/limits/src/rate-limit-headers.test.ts",
  "packages/client/src/job-inputs.test.ts",
  "packages/dev-servers/src/dev-servers.test.ts",
  "apps/worker/src/config.test.ts",
  "apps/worker/src/render-context.test.ts",
  "apps/api/src/dashboard/client/**/*.test.ts",
  "apps/api/src/ops/tenant-metrics.test.ts",
  "apps/api/src/ops/coalesce-per-turn.test.ts",
  "apps/api/src/sse/stream-open-gate.test.ts",
];

/** Tests that spawn processes. */
const processes = [
  "apps/api/test/processes/**/*.test.ts",
  // A Redis Cluster of their own: redis-server processes.
  "apps/api/test/cluster/**/*.test.ts",
  "packages/limits/src/limits-on-cluster.test.ts",
  "apps/api/test/configuration.test.ts",
  "apps/api/test/production-config.test.ts",
  "apps/api/test/worker-job-types.test.ts",
  "apps/api/test/fairness/noisy-neighbour.test.ts",
  "apps/api/test/hostile/**/*.test.ts",
  "apps/api/test/ops/worker-metrics.test.ts",
  "apps/api/test/faults/api-restart-resume.test.ts",
  "apps/api/test/faults/api-shutdown.test.ts",
  "apps/api/test/faults/graceful-shutdown.test.ts",
  "apps/api/test/faults/retry-while-locked.test.ts",
  "apps/api/test/faults/worker-killed.test.ts",
  "packages/client/src/cli/main.test.ts",
  "packages/client/src/packed-package.test.ts",
  "packages/client/src/sse/follow-reconnect.test.ts",
  "packages/db/src/migrate/cli.test.ts",
  "packages/dev-servers/src/build-redis*.test.ts",
  "packages/renderers/src/registry-imports.test.ts",
];

/** Render in this process or launch Chromium; measure their own CPU time and memory. */
const renderers = ["packages/renderers/**/*.test.ts"];

/**
 * Tests that bound their own CPU time: they run last, alone, as the CPU time of a process sharing
 * two cores with a Chromium or a job flood grows past what the render itself costs.
 */
const cpuBounds = ["packages/renderers/src/markdown/pathological-*.test.ts"];

const all = ["packages/**/*.test.ts", "apps/**/*.test.ts"];
const excluded = [...configDefaults.exclude];
const globalSetup = ["./test/global-setup.ts"];

export default defineConfig({
  test: {
    isolate: false,
    testTimeout: 30_000,
    hookTimeout: 60_000,
    maxWorkers: 2,
    sequence: { sequencer: LongPolesFirst },
    projects: [
      {
        extends: true,
        // Beside integration: they take next to no CPU, and share one loader per worker.
        test: {
          name: "unit",
          include: unit,
          exclude: [...excluded, ...processes, ...cpuBounds],
          sequence: { groupOrder: 1 },
        },
      },
      {
        extends: true,
        // Isolated: renderer tests measure their process's CPU time and memory, which another
        // file's leftover render threads would otherwise add to.
        // First, on their own: their CPU-time bounds must not be measured beside a flood of jobs.
        test: {
          name: "renderers",
          include: renderers,
          exclude: [...excluded, ...processes, ...cpuBounds],
          isolate: true,
          sequence: { groupOrder: 0 },
        },
      },
      {
        extends: true,
        // One file at a time: two CPU-bound renders side by side each take more CPU time than alone.
        test: {
          name: "cpu-bounds",
          include: cpuBounds,
          isolate: true,
          maxWorkers: 1,
          // A CPU-time bound is measured once more before it fails: a moment when the machine's
          // cores are shared can cost a render 1.7× its CPU time; a regression fails both times.
          retry: 1,
          sequence: { groupOrder: 2 },
        },
      },
      {
        extends: true,
        test: {
          name: "integration",
          include: all,
          exclude: [...excluded, ...unit, ...renderers, ...processes, ...cpuBounds],
          globalSetup,
          sequence: { groupOrder: 1 },
        },
      },
      {
        extends: true,
        test: { name: "processes", include: processes, globalSetup, sequence: { groupOrder: 1 } },
      },
    ],
  },
});
