import { type Job, KilnError } from "@kiln/core";

/** A command's row write answered `null` (no such job) or `conflict` (not in a status it can leave). */
export const throwUnlessJob = (result: Job | "conflict" | null, conflictMessage: string): Job => {
  if (result === null) throw new KilnError("not_found", "No such job");
  if (result === "conflict") throw new KilnError("conflict", conflictMessage);
  return result;
};
