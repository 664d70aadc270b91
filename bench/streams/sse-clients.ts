// A child process of `bench/streams.ts` that holds many SSE connections and timestamps each
// `content_job.done` it reads. The bench forks a few of these, so neither one process's file
// descriptors nor its event loop limit how many streams the server under test gets: the same
// client measures the bare broadcast server and Kiln. Commands arrive over IPC (`ClientCommand`).
import { request } from "node:http";

export type ClientCommand =
  | { cmd: "open"; url: string; headers: Record<string, string>; count: number; deadlineMs: number }
  | { cmd: "deliveries" }
  | { cmd: "close" };

export interface OpenReport {
  type: "opened";
  opened: number;
  /** Failed opens by reason: `status 429`, `ECONNRESET`, `timed out`… */
  failed: Record<string, number>;
  /** Milliseconds from the burst's start to each stream's response headers. */
  openMs: number[];
}

export interface DeliveryReport {
  type: "deliveries";
  /** Streams still open. */
  open: number;
  /** Per `content_job.done` event id: when each stream read it (epoch ms, `Date.now()`). */
  byId: Record<string, number[]>;
}

const doneMarker = "event: content_job.done";
const idPattern = /(?:^|\n)id: ([^\n]*)/;

const connections = new Set<{ destroy(): void }>();
const arrivals = new Map<string, number[]>();

/** Records the done events of one chunk; returns the unfinished frame to keep. */
const scan = (text: string, now: number): string => {
  const end = text.lastIndexOf("\n\n");
  if (end < 0) return text;
  if (text.includes(doneMarker)) {
    for (const frame of text.slice(0, end).split("\n\n")) {
      if (!frame.includes(doneMarker)) continue;
      const id = idPattern.exec(frame)?.[1] ?? "?";
      const times = arrivals.get(id) ?? [];
      times.push(now);
      arrivals.set(id, times);
    }
  }
  return text.slice(end + 2);
};

const open = ({ url, headers, count, deadlineMs }: Extract<ClientCommand, { cmd: "open" }>) =>
  new Promise<OpenReport>((resolve) => {
    const started = Date.now();
    const failed: Record<string, number> = {};
    const openMs: number[] = [];
    let settled = 0;
    const pending = new Set<{ destroy(): void }>();
    const settle = (reason?: string) => {
      if (reason) failed[reason] = (failed[reason] ?? 0) + 1;
      if (++settled === count) finish();
    };
    const finish = () => {
      clearTimeout(deadline);
      resolve({ type: "opened", opened: openMs.length, failed, openMs });
    };
    const deadline = setTimeout(() => {
      for (const req of pending) {
        req.destroy();
        settle("timed out");
      }
      pending.clear();
    }, deadlineMs);

    for (let i = 0; i < count; i++) {
      const req = request(url, { headers, agent: false });
      pending.add(req);
      let answered = false;
      req.on("response", (res) => {
        answered = true;
        pending.delete(req);
        if (res.statusCode !== 200) {
          res.resume();
          settle(`status ${res.statusCode}`);
          return;
        }
        openMs.push(Date.now() - started);
        connections.add(req);
        res.on("close", () => connections.delete(req));
        res.setEncoding("latin1");
        let tail = "";
        res.on("data", (chunk: string) => {
          tail = scan(tail + chunk, Date.now());
        });
        res.on("error", () => {});
        settle();
      });
      req.on("error", (error: NodeJS.ErrnoException) => {
        if (answered || !pending.delete(req)) return;
        settle(error.code ?? error.message);
      });
      req.end();
    }
  });

process.on("message", async (message: ClientCommand) => {
  if (message.cmd === "open") {
    process.send!(await open(message));
  } else if (message.cmd === "deliveries") {
    const report: DeliveryReport = {
      type: "deliveries",
      open: connections.size,
      byId: Object.fromEntries(arrivals),
    };
    process.send!(report);
  } else if (message.cmd === "close") {
    for (const connection of connections) connection.destroy();
    connections.clear();
    arrivals.clear();
    process.send!({ type: "closed" });
  }
});
process.send!({ type: "ready" });
