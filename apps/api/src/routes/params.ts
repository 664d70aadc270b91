import { z } from "@hono/zod-openapi";

/** Ids in paths are matched, not validated: a malformed id is simply not found (404), never a 500. */
export { isUuid } from "@kiln/core";

export const companyParams = z.object({
  companyId: z.string().openapi({ param: { name: "companyId", in: "path" }, example: "3f9c…" }),
});

export const jobParams = companyParams.extend({
  jobId: z.string().openapi({ param: { name: "jobId", in: "path" } }),
});

export const lastEventIdQuery = z.object({
  // No length limit here: an id that names no event is ignored (see `resumePosition`), never a 400.
  lastEventId: z
    .string()
    .optional()
    .openapi({ description: "Resume after this event id (or send the Last-Event-ID header)" }),
  access_token: z
    .string()
    .max(2000)
    .optional()
    .openapi({ description: "A stream token, for EventSource (no headers)" }),
});
