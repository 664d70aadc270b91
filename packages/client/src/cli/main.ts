import { text } from "node:stream/consumers";
import { runCli } from "./run-cli.ts";

// The `kiln` executable: wires the CLI to this process. Ctrl-C stops a follow or a wait cleanly.
const interrupt = new AbortController();
process.once("SIGINT", () => interrupt.abort());

process.exitCode = await runCli(
  process.argv.slice(2),
  { stdout: process.stdout, stderr: process.stderr, env: process.env, readStdin: () => text(process.stdin) },
  interrupt.signal,
);
