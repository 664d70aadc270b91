// `npm run bench [-- name… [args]]`: Kiln's benchmarks, by name; no name runs every one but `guard`
// and the parts of `baselines` (`submit`, `worker`, `e2e`).
// Each prints its results as JSON (and the ones with ratios write bench/results/<name>-<iso>.json).
// A new benchmark is one line below.
const benches: Record<string, (args: string[]) => Promise<unknown>> = {
  baselines: async () => (await import("./baselines.ts")).recordBaselines(),
  submit: async () => (await import("./baselines.ts")).recordBaselines(["submit"]),
  worker: async () => (await import("./baselines.ts")).recordBaselines(["worker", "endToEnd"]),
  e2e: async () => (await import("./baselines.ts")).recordBaselines(["endToEnd"]),
  guard: async () => (await import("./guard.ts")).runGuard(),
  pipeline: async () => (await import("./pipeline.ts")).runPipelineBench(),
  noisy: async () => (await import("./noisy-neighbour.ts")).runNoisyNeighbourBench(),
  streams: async () => (await import("./streams.ts")).runStreamsBench(),
  renderers: async (args) => {
    process.argv = [process.argv[0]!, process.argv[1]!, ...args];
    await import("./renderers.ts");
  },
};

const args = process.argv.slice(2);
const named = args.filter((arg) => arg in benches);
const rest = args.filter((arg) => !(arg in benches));
const unknown = rest.filter((arg) => !arg.startsWith("-") && !named.includes("renderers"));
if (unknown.length > 0) {
  console.error(`unknown benchmark(s): ${unknown.join(", ")}; known: ${Object.keys(benches).join(", ")}`);
  process.exit(2);
}
const parts = new Set(["guard", "submit", "worker", "e2e"]);
for (const name of named.length > 0 ? named : Object.keys(benches).filter((name) => !parts.has(name))) {
  const result = await benches[name]!(rest);
  if (result !== undefined) console.log(JSON.stringify({ [name]: result }, null, 2));
}
process.exit(process.exitCode ?? 0);
