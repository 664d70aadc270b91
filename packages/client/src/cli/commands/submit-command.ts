import { mkdir, writeFile } from "node:fs/promises";
import { basename, join } from "node:path";
import { isTerminalStatus, type Job, submitLimits } from "@kiln/core";
import { boolFlag, intFlag, requirePositionals, stringFlag, UsageError } from "../cli-flags.ts";
import { type Command, type CommandContext, exitCodes, printLine } from "../command.ts";
import { formatEventLine, toJson } from "../format-output.ts";
import { readInput } from "../read-input.ts";

/**
 * Follows a job just submitted, one line per event on stderr, and returns the final Job. It
 * resumes from the start of the job's stream, so a job that finishes before the stream opens
 * still shows every event it published.
 */
const followToEnd = async ({ client, io, signal }: CommandContext, jobId: string): Promise<Job> => {
  // To the stream's end, not its first terminal event: a failure retried by hand is not the end.
  for await (const event of client.followJob(jobId, { signal, lastEventId: "0-0" })) {
    printLine(io, "stderr", formatEventLine(event));
  }
  // Events carry the Job without its input; the final Job is read whole.
  return client.getJob(jobId, { signal });
};

const downloadAll = async ({ client, io, signal }: CommandContext, job: Job, dir: string) => {
  await mkdir(dir, { recursive: true });
  for (const artifact of job.artifacts) {
    const { bytes } = await client.downloadArtifact(job.id, artifact.name, { signal });
    // basename: an artifact name never chooses a path outside --out.
    const path = join(dir, basename(artifact.name));
    await writeFile(path, bytes);
    printLine(io, "stderr", `wrote ${path} (${bytes.byteLength} bytes)`);
  }
};

export const submitCommand: Command = {
  name: "submit",
  args: "<jobType>",
  summary: "Submit a job; with --wait, follow it to the end",
  flagHelp: [
    "--input <json|@file|@->     the job's input (required)",
    "--source-task-id <id>       your own reference, filterable in list",
    `--priority <n>              ${submitLimits.priority.min}–${submitLimits.priority.max}, higher runs first`,
    `--max-attempts <n>          ${submitLimits.maxAttempts.min}–${submitLimits.maxAttempts.max}`,
    "--idempotency-key <key>     the same key returns the same job (and makes the submit safe to retry)",
    "--wait                      follow the job (events on stderr), print the final job; exit 3 if it failed",
    "--out <dir>                 with --wait (implied): download every artifact into <dir>",
  ],
  options: {
    input: { type: "string" },
    "source-task-id": { type: "string" },
    priority: { type: "string" },
    "max-attempts": { type: "string" },
    "idempotency-key": { type: "string" },
    wait: { type: "boolean" },
    out: { type: "string" },
  },
  needsCredentials: true,
  async run(context) {
    const { client, values, positionals, io, signal } = context;
    const [jobType] = requirePositionals(positionals, ["jobType"]);
    const rawInput = stringFlag(values, "input");
    if (rawInput === undefined) throw new UsageError("--input is required (JSON, or @file)");
    const accepted = await client.submitDynamic(
      {
        jobType: jobType!,
        input: await readInput(rawInput, io.readStdin),
        sourceTaskId: stringFlag(values, "source-task-id"),
        priority: intFlag(values, "priority", submitLimits.priority),
        maxAttempts: intFlag(values, "max-attempts", submitLimits.maxAttempts),
      },
      { idempotencyKey: stringFlag(values, "idempotency-key"), signal },
    );
    const out = stringFlag(values, "out");
    if (!boolFlag(values, "wait") && out === undefined) {
      printLine(io, "stdout", toJson(accepted));
      return exitCodes.ok;
    }
    printLine(io, "stderr", `submitted ${accepted.jobId}`);
    const job = await followToEnd(context, accepted.jobId);
    printLine(io, "stdout", toJson(job));
    if (job.status !== "done") {
      const reason = job.error ? `: ${job.error.code}: ${job.error.message}` : "";
      printLine(
        io,
        "stderr",
        `job ${job.id} ${isTerminalStatus(job.status) ? job.status : "did not finish"}${reason}`,
      );
      return exitCodes.jobFailed;
    }
    if (out !== undefined) await downloadAll(context, job, out);
    return exitCodes.ok;
  },
};
