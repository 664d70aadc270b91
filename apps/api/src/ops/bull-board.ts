import { createBullBoard } from "@bull-board/api";
import { BullMQAdapter } from "@bull-board/api/bullMQAdapter";
import { HonoAdapter } from "@bull-board/hono";
import { serveStatic } from "@hono/node-server/serve-static";
import type { JobQueues } from "@kiln/queue";

export interface BullBoardOptions {
  queues: Pick<JobQueues, "queue">;
  /** One board entry per job type's queue. */
  jobTypes: readonly string[];
  /** Where the board is mounted; its pages and assets link under it. */
  basePath: string;
  /**
   * The board shows queues and jobs but hides and refuses every action (retry, clean, pause,
   * obliterate…): Bull Board answers 405 to them. Default: true.
   */
  readOnly?: boolean;
}

/**
 * Bull Board's UI and JSON API as a Hono app to mount at `basePath`. It reads the queues through
 * the API's own BullMQ `Queue`s, so it adds no Redis connection. Authentication is the mount's job.
 */
export const createBullBoardApp = ({ queues, jobTypes, basePath, readOnly = true }: BullBoardOptions) => {
  const serverAdapter = new HonoAdapter(serveStatic).setBasePath(basePath);
  createBullBoard({
    queues: jobTypes.map((jobType) => new BullMQAdapter(queues.queue(jobType), { readOnlyMode: readOnly })),
    serverAdapter,
    options: { uiConfig: { boardTitle: "Kiln queues" } },
  });
  return serverAdapter.registerPlugin();
};
