import type { OpenAPIHono } from "@hono/zod-openapi";
import { requireAdminForBrowser } from "../middleware/ops-auth.ts";
import { createBullBoardApp } from "../ops/bull-board.ts";
import type { AppEnv, Services } from "../services.ts";

const basePath = "/admin/queues";

/**
 * `/admin/queues`: Bull Board, a UI for operators rather than part of the HTTP contract, so it is
 * not in the OpenAPI document. Admin token as `Bearer`, or as the Basic-auth password in a browser.
 */
export const registerAdminQueues = (
  app: OpenAPIHono<AppEnv>,
  { queues, renderers }: Pick<Services, "queues" | "renderers">,
) => {
  app.use(basePath, requireAdminForBrowser);
  app.use(`${basePath}/*`, requireAdminForBrowser);
  app.route(basePath, createBullBoardApp({ queues, jobTypes: [...renderers.keys()], basePath }));
};
