import { Readable } from "node:stream";
import { createRoute, type OpenAPIHono, z } from "@hono/zod-openapi";
import { ApiError } from "../errors/api-error.ts";
import { pick } from "../errors/error-responses.ts";
import { requireCompany } from "../middleware/auth.ts";
import { rateLimit } from "../middleware/rate-limit.ts";
import type { AppEnv } from "../services.ts";
import { parseRange } from "./byte-range.ts";
import { isUuid, jobParams } from "./params.ts";

const route = createRoute({
  method: "get",
  path: "/api/companies/{companyId}/content-jobs/{jobId}/artifacts/{name}",
  tags: ["jobs"],
  summary: "Download an artifact",
  description:
    "Streamed through the API (one `Range: bytes=…` honoured: `206`), or, when the API is configured " +
    "with `KILN_ARTIFACT_REDIRECT=presigned`, a `302` to a presigned URL of the S3 store.",
  middleware: [requireCompany(), rateLimit("read")] as const,
  // Not length-limited: like ids, a name is matched against the job's artifacts, so a bad one is a 404.
  request: {
    params: jobParams.extend({ name: z.string() }),
    query: z.object({
      redirect: z
        .enum(["true", "false"])
        .optional()
        .openapi({
          description:
            "`false`: stream the bytes even where the API answers `302` (a page whose CSP or CORS " +
            "keeps it from following a redirect to the store, such as the dashboard)",
        }),
    }),
  },
  responses: {
    200: {
      description: "The bytes",
      content: { "application/octet-stream": { schema: { type: "string", format: "binary" } } },
    },
    206: {
      description: "The bytes of the one range asked for (`Range: bytes=…`), with `Content-Range`",
      content: { "application/octet-stream": { schema: { type: "string", format: "binary" } } },
    },
    302: {
      description:
        "With `KILN_ARTIFACT_REDIRECT=presigned`: `Location` is a short-lived URL of the object store " +
        "that serves the bytes (send it no `Authorization`)",
    },
    304: { description: "Not modified (If-None-Match)" },
    ...pick(401, 403, 404, 416, 429, 503),
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
    const { config, artifacts } = c.var.services;
    const key = { companyId, jobId, name };
    const disposition = `${artifact.contentType.startsWith("text/html") ? "attachment" : "inline"}; filename="${name}"`;
    const redirect =
      config.KILN_ARTIFACT_REDIRECT === "presigned" && c.req.valid("query").redirect !== "false";
    if (redirect && artifacts.presignGet) {
      const url = await artifacts.presignGet(key, {
        expiresInSeconds: config.KILN_ARTIFACT_URL_TTL_S,
        contentType: artifact.contentType,
        contentDisposition: disposition,
      });
      // The URL expires: a cached redirect would outlive it.
      return c.body(null, 302, { Location: url, "Cache-Control": "private, no-store" });
    }
    // If-Range: the range holds only for the representation the client already has part of.
    const ifRange = c.req.header("if-range");
    const wanted =
      ifRange === undefined || ifRange.trim() === etag
        ? parseRange(c.req.header("range"), artifact.size)
        : ({ kind: "whole" } as const);
    if (wanted.kind === "unsatisfiable") {
      throw new ApiError("range_not_satisfiable", `The artifact has ${artifact.size} bytes`, {
        headers: { "Content-Range": `bytes */${artifact.size}` },
      });
    }
    const range = wanted.kind === "partial" ? wanted.range : undefined;
    const stored = await artifacts.get(key, range);
    if (!stored) throw new ApiError("not_found", "The artifact's bytes are gone");
    const body = Readable.toWeb(stored.stream() as Readable) as ReadableStream;
    const common = {
      ...headers,
      "Accept-Ranges": "bytes",
      "Content-Type": artifact.contentType,
      "Content-Disposition": disposition,
    };
    if (!range) return c.body(body, 200, { ...common, "Content-Length": String(stored.size) });
    return c.body(body, 206, {
      ...common,
      "Content-Range": `bytes ${range.start}-${range.end}/${stored.size}`,
      "Content-Length": String(range.end - range.start + 1),
    });
  });
