import type { MiddlewareHandler } from "hono";
import type { AppEnv } from "../services.ts";

/**
 * An event stream's open waits for its company's turn in the process's `StreamOpenGate`: after
 * auth, before the rate limit, the open-stream slot and the subscription.
 */
export const streamOpenTurn: MiddlewareHandler<AppEnv> = async (c, next) => {
  const { auth, services } = c.var;
  const companyId = auth.kind === "admin" ? (c.req.param("companyId") ?? "") : auth.companyId;
  await services.streamOpens.run(companyId, next);
};
