import type { KilnClient } from "../kiln-client.ts";
import type { FlagValues, OptionSpecs } from "./cli-flags.ts";

/** What `kiln` exits with. */
export const exitCodes = {
  ok: 0,
  /** The API answered an error, could not be reached, or answered something unexpected. */
  failed: 1,
  /** The command line was wrong. */
  usage: 2,
  /** `submit --wait`: the job ended failed or cancelled. */
  jobFailed: 3,
  /** Interrupted (Ctrl-C). */
  interrupted: 130,
} as const;

/** Where the CLI reads and writes; `process` in `main.ts`, buffers in tests. */
export interface CliIo {
  stdout: { write(chunk: string | Uint8Array): unknown };
  stderr: { write(chunk: string): unknown };
  env: Record<string, string | undefined>;
  readStdin(): Promise<string>;
}

export interface CommandContext {
  client: KilnClient;
  values: FlagValues;
  positionals: string[];
  io: CliIo;
  /** Aborted on Ctrl-C. */
  signal: AbortSignal;
  /** `--json`: machine-readable output. */
  json: boolean;
}

export interface Command {
  name: string;
  /** Positional arguments, as shown in help: `<jobId> <name>`. */
  args: string;
  summary: string;
  /** Lines of help on the command's own flags. */
  flagHelp: string[];
  options: OptionSpecs;
  /** `false` for routes that need no API key (job-types). */
  needsCredentials: boolean;
  run(context: CommandContext): Promise<number>;
}

export const printLine = (io: CliIo, stream: "stdout" | "stderr", line: string) =>
  io[stream].write(`${line}\n`);
