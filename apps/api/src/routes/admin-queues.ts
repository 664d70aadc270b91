import type { OpenAPIHono } from "@hono/zod-openapi";
import type { MiddlewareHandler } from "hono";
import { ApiError } from "../errors/api-error.ts";
import { noFraming } from "../middleware/no-framing.ts";
import { requireAdminForBrowser } from "../middleware/ops-auth.ts";
import { createBullBoardApp } from "../ops/bull-board.ts";
import type { AppEnv, Services } from "../services.ts";

const basePath = "/admin/queues";

const readMethods = new Set(["GET", "HEAD", "OPTIONS"]);

/**
 * A read-only board refuses every request that could change a queue here too, not only in Bull
 * Board's handlers: an action a future Bull Board adds cannot slip through.
 */
const refuseActions: MiddlewareHandler<AppEnv> = async (c, next) => {
  if (!readMethods.has(c.req.method))
    throw new ApiError(
      "forbidden",
      "Bull Board is read-only (KILN_BULL_BOARD_READONLY=false allows actions)",
    );
  await next();
};

/**
 * `/admin/queues`: Bull Board, a UI for operators rather than part of the HTTP contract, so it is
 * not in the OpenAPI document. Admin token as `Bearer`, or as the Basic-auth password in a browser.
 * Read-only unless `KILN_BULL_BOARD_READONLY=false`; never framed by another page.
 */
export const registerAdminQueues = (
  app: OpenAPIHono<AppEnv>,
  { queues, renderers, config }: Pick<Services, "queues" | "renderers" | "config">,
) => {
  const readOnly = config.KILN_BULL_BOARD_READONLY;
  for (const path of [basePath, `${basePath}/*`]) {
    app.use(path, noFraming());
    app.use(path, requireAdminForBrowser);
    if (readOnly) app.use(path, refuseActions);
  }
  app.route(basePath, createBullBoardApp({ queues, jobTypes: [...renderers.keys()], basePath, readOnly }));
};
