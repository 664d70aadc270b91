// `npm run bench -- guard`: CI's regression guard, ~30 s. A short run of the baselines gives the
// ratios Kiln / raw (same run, same machine, so a busy machine slows both sides); it fails only when
// a ratio falls below a third of the one recorded in bench/guard-ratios.json — a large regression,
// not noise. A failing ratio is measured once more before the guard fails.
import { readFile } from "node:fs/promises";
import { type BaselineSizes, type Ratios, runBaselines } from "./baselines.ts";
import { writeResults } from "./results.ts";

const guardSizes: BaselineSizes = {
  submitSeconds: 2,
  inFlight: 64,
  endToEndSamples: 30,
  workerJobs: 300,
  workerConcurrency: 2,
};

/** A ratio may fall to this fraction of the recorded one before the guard fails. */
const tolerance = 1 / 3;

const recordedPath = new URL("./guard-ratios.json", import.meta.url);

type Figure = keyof Ratios;

const failingOf = (measured: Ratios, recorded: Required<Ratios>): Figure[] =>
  (Object.keys(recorded) as Figure[]).filter(
    (figure) => !((measured[figure] ?? 0) >= recorded[figure] * tolerance),
  );

export const runGuard = async () => {
  const { ratios: floors } = JSON.parse(await readFile(recordedPath, "utf8")) as { ratios: Required<Ratios> };
  const first = await runBaselines(guardSizes);
  let failing = failingOf(first.ratios, floors);
  const runs = [first];
  if (failing.length > 0) {
    console.log(`below a third of the recorded ratio: ${failing.join(", ")}; measuring again`);
    const again = await runBaselines(guardSizes, failing);
    runs.push(again);
    failing = failingOf(again.ratios, floors).filter((figure) => failing.includes(figure));
  }
  const path = await writeResults("guard", {
    at: new Date().toISOString(),
    recorded: floors,
    tolerance,
    runs,
  });
  for (const run of runs)
    console.log(`ratios: ${JSON.stringify(run.ratios)} (recorded: ${JSON.stringify(floors)})`);
  console.log(`written to ${path}`);
  if (failing.length > 0) {
    console.error(`performance regression: ${failing.join(", ")} below a third of the recorded ratio`);
    process.exitCode = 1;
  } else {
    console.log("guard passed: every ratio is above a third of the recorded one");
  }
  return undefined;
};
