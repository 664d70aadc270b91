/** "4 s", "3 min", "2 h", "5 d": short enough for a table cell. */
export const formatDuration = (ms: number): string => {
  const seconds = Math.max(0, Math.round(ms / 1000));
  if (seconds < 60) return ms < 1000 ? `${Math.max(0, Math.round(ms))} ms` : `${seconds} s`;
  const minutes = Math.round(seconds / 60);
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.round(minutes / 60);
  return hours < 48 ? `${hours} h` : `${Math.round(hours / 24)} d`;
};

export const ageOf = (iso: string, now = Date.now()) => formatDuration(now - Date.parse(iso));

/** Run time: start to finish, or to now while running; empty before it starts. */
export const durationOf = (job: { startedAt: string | null; finishedAt: string | null }, now = Date.now()) =>
  job.startedAt
    ? formatDuration((job.finishedAt ? Date.parse(job.finishedAt) : now) - Date.parse(job.startedAt))
    : "";

export const formatBytes = (bytes: number) =>
  bytes < 1024
    ? `${bytes} B`
    : bytes < 1024 ** 2
      ? `${(bytes / 1024).toFixed(1)} KiB`
      : `${(bytes / 1024 ** 2).toFixed(1)} MiB`;

/** An event id is a Redis stream id `ms-seq`: its first part is when the event happened. */
export const timeOfEventId = (id: string) => {
  const ms = Number(id.split("-")[0]);
  return Number.isFinite(ms) && ms > 0 ? new Date(ms).toLocaleTimeString() : "";
};
