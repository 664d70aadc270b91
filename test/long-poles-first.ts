import { relative } from "node:path";
import type { TestSpecification } from "vitest/node";
import { BaseSequencer } from "vitest/node";

/**
 * The files that take longest, longest first. On a clean clone vitest knows no durations and starts
 * the largest files first; a small file that runs for a minute then starts last and runs alone
 * while the other worker idles. Starting these first lets the short files fill in beside them.
 */
const longPoles = [
  "apps/api/test/fairness/noisy-neighbour.test.ts",
  "apps/api/test/dashboard/dashboard-browser.test.ts",
  "packages/renderers/src/chromium/browser-pool.test.ts",
  "apps/api/test/faults/api-restart-resume.test.ts",
  "apps/api/test/processes/first-run.test.ts",
  "apps/api/test/event-size.test.ts",
  "packages/client/src/cli/main.test.ts",
  "packages/client/src/kiln-client.test.ts",
  "apps/api/test/faults/graceful-shutdown.test.ts",
  "apps/api/test/worker-job-types.test.ts",
  "packages/renderers/src/isolation/render-runner.test.ts",
  "packages/renderers/src/document-pdf/document-pdf-renderer.test.ts",
  "apps/api/test/faults/worker-killed.test.ts",
  "packages/client/src/sse/follow-reconnect.test.ts",
];

export class LongPolesFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files);
    const root = this.ctx.config.root;
    const rank = (spec: TestSpecification) => {
      const index = longPoles.indexOf(relative(root, spec.moduleId));
      return index === -1 ? longPoles.length : index;
    };
    const order = (spec: TestSpecification) => spec.project.config.sequence.groupOrder;
    // Array.prototype.sort is stable: the base order holds among files of equal rank.
    return sorted.sort((a, b) => order(a) - order(b) || rank(a) - rank(b));
  }
}
