import type { Job } from "@kiln/core";
import { type JobStatus, jobStatusSchema } from "@kiln/core";
import type { KilnClient } from "../../kiln-client.ts";
import { boolFlag, intFlag, requirePositionals, stringFlag, UsageError } from "../cli-flags.ts";
import { type Command, exitCodes, printLine } from "../command.ts";
import { formatEventLine, formatJobLine, toJson } from "../format-output.ts";

/** `get`, `cancel`, `retry`: one job id in, the Job out as JSON. */
const jobCommand = (
  name: string,
  summary: string,
  call: (client: KilnClient, jobId: string, signal: AbortSignal) => Promise<Job>,
): Command => ({
  name,
  args: "<jobId>",
  summary,
  flagHelp: [],
  options: {},
  needsCredentials: true,
  async run({ client, positionals, io, signal }) {
    const [jobId] = requirePositionals(positionals, ["jobId"]);
    printLine(io, "stdout", toJson(await call(client, jobId!, signal)));
    return exitCodes.ok;
  },
});

export const getCommand = jobCommand("get", "Print a job as JSON", (client, jobId, signal) =>
  client.getJob(jobId, { signal }),
);
export const cancelCommand = jobCommand("cancel", "Cancel a queued or running job", (client, jobId, signal) =>
  client.cancel(jobId, { signal }),
);
export const retryCommand = jobCommand(
  "retry",
  "Queue a failed or cancelled job again",
  (client, jobId, signal) => client.retry(jobId, { signal }),
);

const parseStatus = (value: string | undefined): JobStatus | undefined => {
  if (value === undefined) return undefined;
  const parsed = jobStatusSchema.safeParse(value);
  if (!parsed.success) throw new UsageError(`--status must be one of ${jobStatusSchema.options.join(", ")}`);
  return parsed.data;
};

export const listCommand: Command = {
  name: "list",
  args: "",
  summary: "List jobs, newest first (one page, or --all)",
  flagHelp: [
    `--status <status>           ${jobStatusSchema.options.join(" | ")}`,
    "--job-type <type>           only this job type",
    "--source-task-id <id>       only jobs submitted with this reference",
    "--limit <n>                 page size, 1–100 (default 50)",
    "--cursor <cursor>           the page after this cursor (printed on stderr after a page)",
    "--all                       every page",
    "--include-input             whole jobs, each with its input (with --json; default: summaries)",
  ],
  options: {
    status: { type: "string" },
    "job-type": { type: "string" },
    "source-task-id": { type: "string" },
    limit: { type: "string" },
    cursor: { type: "string" },
    all: { type: "boolean" },
    "include-input": { type: "boolean" },
  },
  needsCredentials: true,
  async run({ client, values, positionals, io, signal, json }) {
    requirePositionals(positionals, []);
    const filters = {
      status: parseStatus(stringFlag(values, "status")),
      jobType: stringFlag(values, "job-type"),
      sourceTaskId: stringFlag(values, "source-task-id"),
      limit: intFlag(values, "limit", { min: 1, max: 100 }),
      ...(boolFlag(values, "include-input") && { include: "input" as const }),
    };
    const print = (job: Omit<Job, "input">) =>
      printLine(io, "stdout", json ? JSON.stringify(job) : formatJobLine(job));
    if (boolFlag(values, "all")) {
      for await (const job of client.iterateJobs(filters, { signal })) print(job);
      return exitCodes.ok;
    }
    const page = await client.listJobs({ ...filters, cursor: stringFlag(values, "cursor") }, { signal });
    for (const job of page.items) print(job);
    if (page.nextCursor) printLine(io, "stderr", `more: --cursor ${page.nextCursor}`);
    return exitCodes.ok;
  },
};

export const followCommand: Command = {
  name: "follow",
  args: "<jobId>",
  summary: "Print a job's events as they happen, one line each, until it ends",
  flagHelp: ["--last-event-id <id>        resume after this event"],
  options: { "last-event-id": { type: "string" } },
  needsCredentials: true,
  async run({ client, values, positionals, io, signal, json }) {
    const [jobId] = requirePositionals(positionals, ["jobId"]);
    const lastEventId = stringFlag(values, "last-event-id");
    for await (const event of client.followJob(jobId!, { signal, lastEventId })) {
      printLine(io, "stdout", json ? JSON.stringify(event) : formatEventLine(event));
    }
    return exitCodes.ok;
  },
};

export const jobTypesCommand: Command = {
  name: "job-types",
  args: "",
  summary: "List the job types (--json: with their input JSON Schemas)",
  flagHelp: [],
  options: {},
  needsCredentials: false,
  async run({ client, positionals, io, signal, json }) {
    requirePositionals(positionals, []);
    const jobTypes = await client.listJobTypes({ signal });
    if (json) {
      printLine(io, "stdout", toJson(jobTypes));
      return exitCodes.ok;
    }
    const width = Math.max(...jobTypes.map((type) => type.jobType.length));
    for (const type of jobTypes)
      printLine(io, "stdout", `${type.jobType.padEnd(width)}  ${type.description}`);
    return exitCodes.ok;
  },
};
