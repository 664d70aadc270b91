import { createRoute, type OpenAPIHono } from "@hono/zod-openapi";
import { pick } from "../errors/error-responses.ts";
import { acquireStreamSlot } from "../limits/stream-slot.ts";
import { requireCompany } from "../middleware/auth.ts";
import { rateLimit } from "../middleware/rate-limit.ts";
import { streamOpenTurn } from "../middleware/stream-open-turn.ts";
import type { AppEnv } from "../services.ts";
import { openEventStream, streamCredentialOf } from "../sse/open-event-stream.ts";
import { streamCompanyEvents } from "../sse/stream-company-events.ts";
import { lastEventIdOf } from "./job-events.ts";
import { companyParams, lastEventIdQuery } from "./params.ts";

const route = createRoute({
  method: "get",
  path: "/api/companies/{companyId}/events",
  tags: ["events"],
  summary: "Follow every job of the company (Server-Sent Events)",
  description:
    "Every job event of the company, live; never ends by itself. Resume with `Last-Event-ID` within the " +
    "retention window; from beyond it, or with an id that names no event, a `content_job.status` snapshot of " +
    "each queued or running job comes first. Ends only when its key is revoked or its stream token expires. " +
    "A company has at most `maxOpenStreams` streams open across every API instance; beyond: `429 quota_exceeded`.",
  middleware: [requireCompany({ allowStreamToken: true }), streamOpenTurn, rateLimit("read")] as const,
  request: { params: companyParams, query: lastEventIdQuery },
  responses: {
    200: { description: "An event stream", content: { "text/event-stream": { schema: { type: "string" } } } },
    ...pick(401, 403, 429, 503),
  },
});

export const registerCompanyEvents = (app: OpenAPIHono<AppEnv>) =>
  app.openapi(route, async (c) => {
    const { services } = c.var;
    const { companyId } = c.req.valid("param");
    const lastEventId = lastEventIdOf(c.req.header("last-event-id"), c.req.valid("query").lastEventId);
    const slot = await acquireStreamSlot(services, companyId);
    return openEventStream(c, {
      registry: services.sse,
      credential: streamCredentialOf(c.var.auth),
      run: (session) => streamCompanyEvents(services, session, { companyId, lastEventId }),
      slot,
      onError: (error) => services.logger.warn({ err: error, companyId }, "company stream failed"),
    });
  });
