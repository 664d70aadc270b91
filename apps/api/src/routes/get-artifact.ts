import { Readable } from "node:stream";
import { createRoute, type OpenAPIHono, z } from "@hono/zod-openapi";
import { ApiError } from "../errors/api-error.ts";
import { pick } from "../errors/error-responses.ts";
import { requireCompany } from "../middleware/auth.ts";
import { rateLimit } from "../middleware/rate-limit.ts";
import type { AppEnv } from "../services.ts";
import { isUuid, jobParams } from "./params.ts";

const route = createRoute({
  method: "get",
  path: "/api/companies/{companyId}/content-jobs/{jobId}/artifacts/{name}",
  tags: ["jobs"],
  summary: "Download an artifact",
  middleware: [requireCompany(), rateLimit("read")] as const,
  // Not length-limited: like ids, a name is matched against the job's artifacts, so a bad one is a 404.
  request: { params: jobParams.extend({ name: z.string() }) },
  responses: {
    200: {
      description: "The bytes",
      content: { "application/octet-stream": { schema: { type: "string", format: "binary" } } },
    },
    304: { description: "Not modified (If-None-Match)" },
    ...pick(401, 403, 404, 429, 503),
  },
});

/** RFC 9110 §13.1.2: `*`, or a list of tags compared weakly (a `W/` prefix does not matter). */
const matchesIfNoneMatch = (header: string | undefined, etag: string): boolean =>
  header !== undefined &&
  (header.trim() === "*" || header.split(",").some((tag) => tag.trim().replace(/^W\//, "") === etag));

export const registerGetArtifact = (app: OpenAPIHono<AppEnv>) =>
  app.openapi(route, async (c) => {
    const { companyId, jobId, name } = c.req.valid("param");
    const job = isUuid(jobId) ? await c.var.services.jobs.getJob(companyId, jobId) : null;
    const artifact = job?.artifacts.find((candidate) => candidate.name === name);
    if (!job || !artifact) throw new ApiError("not_found", "No such artifact");
    const etag = `"${artifact.sha256}"`;
    const headers = {
      ETag: etag,
      "Cache-Control": "private, max-age=31536000, immutable",
      "X-Content-Type-Options": "nosniff",
      // Artifacts carry user content (SVG, HTML): opened from the API's origin, nothing in them may run.
      "Content-Security-Policy":
        "default-src 'none'; img-src data:; style-src 'unsafe-inline'; font-src data:; sandbox",
    };
    if (matchesIfNoneMatch(c.req.header("if-none-match"), etag)) return c.body(null, 304, headers);
    const stored = await c.var.services.artifacts.get({ companyId, jobId, name });
    if (!stored) throw new ApiError("not_found", "The artifact's bytes are gone");
    const disposition = artifact.contentType.startsWith("text/html") ? "attachment" : "inline";
    return c.body(Readable.toWeb(stored.stream() as Readable) as ReadableStream, 200, {
      ...headers,
      "Content-Type": artifact.contentType,
      "Content-Length": String(stored.size),
      "Content-Disposition": `${disposition}; filename="${name}"`,
    });
  });
