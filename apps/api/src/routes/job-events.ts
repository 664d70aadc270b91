import { createRoute, type OpenAPIHono } from "@hono/zod-openapi";
import { ApiError } from "../errors/api-error.ts";
import { pick } from "../errors/error-responses.ts";
import { acquireStreamSlot } from "../limits/stream-slot.ts";
import { requireCompany } from "../middleware/auth.ts";
import { rateLimit } from "../middleware/rate-limit.ts";
import { streamOpenTurn } from "../middleware/stream-open-turn.ts";
import type { AppEnv } from "../services.ts";
import { openEventStream, streamCredentialOf } from "../sse/open-event-stream.ts";
import { streamJobEvents } from "../sse/stream-job-events.ts";
import { isUuid, jobParams, lastEventIdQuery } from "./params.ts";

const route = createRoute({
  method: "get",
  path: "/api/companies/{companyId}/content-jobs/{jobId}/events",
  tags: ["events"],
  summary: "Follow one job (Server-Sent Events)",
  description:
    "First a `content_job.status` snapshot, then every event of the job until its terminal event, then the " +
    "stream ends. Resume with `Last-Event-ID` (header or `?lastEventId=`); an id that names no event of the " +
    "job is ignored (snapshot first). `: ping` every 15 s. The stream ends (`: closed: <why>`) when its key is " +
    "revoked, or when its stream token expires (with `retry:`; the reconnect is a 401: mint a new token). A company " +
    "has at most `maxOpenStreams` streams open across every API instance; beyond: `429 quota_exceeded`.",
  middleware: [requireCompany({ allowStreamToken: true }), streamOpenTurn, rateLimit("read")] as const,
  request: { params: jobParams, query: lastEventIdQuery },
  responses: {
    200: { description: "An event stream", content: { "text/event-stream": { schema: { type: "string" } } } },
    ...pick(401, 403, 404, 429, 503),
  },
});

/**
 * `Last-Event-ID` from the header (what EventSource sends) or the query, as sent; the stream
 * decides by `resumePosition` whether it names an event to resume after (else it is ignored).
 */
export const lastEventIdOf = (header: string | undefined, query: string | undefined): string | undefined =>
  (header ?? query)?.trim() || undefined;

export const registerJobEvents = (app: OpenAPIHono<AppEnv>) =>
  app.openapi(route, async (c) => {
    const { services } = c.var;
    const { companyId, jobId } = c.req.valid("param");
    // Checked before the stream opens, so an unknown job is a plain 404.
    if (!isUuid(jobId) || !(await services.jobs.getJobSummary(companyId, jobId))) {
      throw new ApiError("not_found", "No such job");
    }
    const lastEventId = lastEventIdOf(c.req.header("last-event-id"), c.req.valid("query").lastEventId);
    const slot = await acquireStreamSlot(services, companyId);
    return openEventStream(c, {
      registry: services.sse,
      credential: streamCredentialOf(c.var.auth),
      run: (session) => streamJobEvents(services, session, { companyId, jobId, lastEventId }),
      slot,
      onError: (error) => services.logger.warn({ err: error, jobId }, "job stream failed"),
    });
  });
