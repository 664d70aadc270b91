// Kept free of zod, like event-types.ts: the dashboard's bundle and the client import it alone.

/** Every status a content job can be in. Terminal: done, failed, cancelled. */
export const jobStatuses = ["queued", "running", "done", "failed", "cancelled"] as const;
export type JobStatus = (typeof jobStatuses)[number];

export const terminalStatuses: readonly JobStatus[] = ["done", "failed", "cancelled"];
export const isTerminalStatus = (status: JobStatus): boolean => terminalStatuses.includes(status);
