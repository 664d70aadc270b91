// `npm run bench [-- pipeline|noisy|renderers]`: Kiln's benchmarks. Prints JSON results.
const which = process.argv.slice(2).filter((arg) => !arg.startsWith("-"));
const all = which.length === 0;

if (all || which.includes("pipeline")) {
  const { runPipelineBench } = await import("./pipeline.ts");
  console.log(JSON.stringify({ pipeline: await runPipelineBench() }, null, 2));
}
if (all || which.includes("noisy")) {
  const { runNoisyNeighbourBench } = await import("./noisy-neighbour.ts");
  console.log(JSON.stringify({ noisyNeighbour: await runNoisyNeighbourBench() }, null, 2));
}
if (all || which.includes("streams")) await (await import("./streams.ts")).runStreamsBench();
if (all || which.includes("renderers")) {
  process.argv = [process.argv[0]!, process.argv[1]!, ...which.filter((arg) => arg !== "renderers")];
  await import("./renderers.ts");
}
process.exit(0);
