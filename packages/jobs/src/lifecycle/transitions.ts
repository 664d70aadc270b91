import type { JobEventType, JobStatus } from "@kiln/core";

/** What moves a job: an API command, a worker's attempt, or the engine's own housekeeping. */
export type Transition =
  | "submit"
  | "cancel"
  | "retry"
  | "startAttempt"
  | "restartLostAttempt"
  | "exhaust"
  | "reportProgress"
  | "complete"
  | "failAndRetry"
  | "handBack"
  | "failFinally";

export interface TransitionRule {
  on: Transition;
  /** Statuses the row may be in; `null` for a row that does not exist yet. */
  from: readonly (JobStatus | null)[];
  to: JobStatus;
  /** Who asks for it. */
  by: "API" | "worker";
  /** The events the engine publishes, in order, once the row is written. */
  emits: readonly JobEventType[];
  /** When it applies (the row's conditions beyond its status). */
  when: string;
}

/**
 * A job's life, written once. The engine's row writes take their allowed `from` statuses from this
 * table (see `fromStatuses`), and docs/guarantees.md prints it (a test keeps the two equal).
 * Every worker write is also fenced by the attempt number: only the newest attempt may make it.
 */
export const transitions: readonly TransitionRule[] = [
  {
    on: "submit",
    from: [null],
    to: "queued",
    by: "API",
    emits: ["content_job.created"],
    when: "the input is valid (an Idempotency-Key replay returns the existing job, unchanged)",
  },
  {
    on: "cancel",
    from: ["queued", "running"],
    to: "cancelled",
    by: "API",
    emits: ["content_job.cancelled"],
    when: "always; a running attempt is aborted through the control channel",
  },
  {
    on: "retry",
    from: ["failed", "cancelled"],
    to: "queued",
    by: "API",
    emits: ["content_job.status"],
    when: "always; a fresh budget of `maxAttempts`, the old artifacts deleted",
  },
  {
    on: "startAttempt",
    from: ["queued"],
    to: "running",
    by: "worker",
    emits: ["content_job.started"],
    when: "attempts < budget",
  },
  {
    on: "restartLostAttempt",
    from: ["running"],
    to: "running",
    by: "worker",
    emits: ["content_job.retrying", "content_job.started"],
    when: "the queue handed out a job whose last attempt never ended (`worker_lost`), attempts < budget",
  },
  {
    on: "exhaust",
    from: ["queued", "running"],
    to: "failed",
    by: "worker",
    emits: ["content_job.failed"],
    when: "an attempt would start with the budget used up (`attempts_exhausted`)",
  },
  {
    on: "reportProgress",
    from: ["running"],
    to: "running",
    by: "worker",
    emits: ["content_job.progress"],
    when: "progress does not go backwards",
  },
  {
    on: "complete",
    from: ["running"],
    to: "done",
    by: "worker",
    emits: ["content_job.done"],
    when: "the render stored at least one artifact",
  },
  {
    on: "failAndRetry",
    from: ["running"],
    to: "queued",
    by: "worker",
    emits: ["content_job.retrying"],
    when: "a retryable error and attempts < budget; runs again after the backoff",
  },
  {
    on: "handBack",
    from: ["running"],
    to: "queued",
    by: "worker",
    emits: ["content_job.retrying"],
    when: "the worker interrupted the attempt (shutdown, lost lock); refunded up to 3 times per job",
  },
  {
    on: "failFinally",
    from: ["running"],
    to: "failed",
    by: "worker",
    emits: ["content_job.failed"],
    when: "a permanent error, or the budget used up",
  },
];

const ruleOf = (on: Transition): TransitionRule => {
  const rule = transitions.find((candidate) => candidate.on === on);
  if (!rule) throw new Error(`no transition "${on}"`);
  return rule;
};

/** The statuses a row may be in for this transition (what its fenced write matches). */
export const fromStatuses = (on: Transition): JobStatus[] =>
  ruleOf(on).from.filter((status): status is JobStatus => status !== null);

export const targetStatus = (on: Transition): JobStatus => ruleOf(on).to;

/** The table as docs/guarantees.md shows it (Markdown). */
export const transitionTableMarkdown = (): string => {
  const rows = transitions.map(
    ({ on, from, to, by, emits, when }) =>
      `| \`${on}\` | ${by} | ${from.map((status) => (status === null ? "—" : `\`${status}\``)).join(", ")} | \`${to}\` | ${emits.map((type) => `\`${type}\``).join(", ")} | ${when} |`,
  );
  return ["| transition | by | from | to | events | when |", "|---|---|---|---|---|---|", ...rows].join("\n");
};
