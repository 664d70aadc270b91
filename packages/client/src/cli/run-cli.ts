import { parseArgs } from "node:util";
import { createKilnClient } from "../kiln-client.ts";
import { resolveClientOptions } from "./cli-config.ts";
import { boolFlag, globalOptions, UsageError } from "./cli-flags.ts";
import { type CliIo, type Command, exitCodes, printLine } from "./command.ts";
import { downloadCommand } from "./commands/download-command.ts";
import {
  cancelCommand,
  followCommand,
  getCommand,
  jobTypesCommand,
  listCommand,
  retryCommand,
} from "./commands/job-commands.ts";
import { submitCommand } from "./commands/submit-command.ts";
import { formatError } from "./format-output.ts";
import { commandHelp, mainHelp } from "./help-text.ts";

/** The CLI's commands, in the order help lists them. */
export const commands: readonly Command[] = [
  submitCommand,
  getCommand,
  listCommand,
  followCommand,
  cancelCommand,
  retryCommand,
  downloadCommand,
  jobTypesCommand,
];

const isParseArgsError = (error: unknown): error is Error =>
  error instanceof Error && String((error as { code?: unknown }).code).startsWith("ERR_PARSE_ARGS");

/** Runs one `kiln` command line and resolves with its exit code; never throws. */
export const runCli = async (
  argv: string[],
  io: CliIo,
  signal: AbortSignal = new AbortController().signal,
) => {
  const [name, ...rest] = argv;
  if (name === undefined || name === "help" || name === "--help" || name === "-h") {
    io[name === undefined ? "stderr" : "stdout"].write(mainHelp(commands));
    return name === undefined ? exitCodes.usage : exitCodes.ok;
  }
  const command = commands.find((candidate) => candidate.name === name);
  if (!command) {
    printLine(io, "stderr", `kiln: unknown command ${JSON.stringify(name)}. Run 'kiln --help' for the list.`);
    return exitCodes.usage;
  }
  try {
    const { values, positionals } = parseArgs({
      args: rest,
      options: { ...globalOptions, ...command.options },
      allowPositionals: true,
      strict: true,
    });
    if (boolFlag(values, "help")) {
      io.stdout.write(commandHelp(command));
      return exitCodes.ok;
    }
    const client = createKilnClient(resolveClientOptions(values, io.env, command.needsCredentials));
    return await command.run({ client, values, positionals, io, signal, json: boolFlag(values, "json") });
  } catch (error) {
    if (error instanceof UsageError || isParseArgsError(error)) {
      printLine(io, "stderr", `kiln ${name}: ${error.message}\nRun 'kiln ${name} --help' for usage.`);
      return exitCodes.usage;
    }
    if (signal.aborted) return exitCodes.interrupted;
    printLine(io, "stderr", formatError(error));
    return exitCodes.failed;
  }
};
