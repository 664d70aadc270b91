import { problemSchema } from "@kiln/core";

const problem = (description: string) => ({
  description,
  content: { "application/problem+json": { schema: problemSchema } },
});

const header = (description: string, type: "string" | "integer" = "string") => ({
  description,
  schema: { type },
});

/** Error answers shared by routes, spread into each route's OpenAPI responses. */
export const errorResponses = {
  400: problem("Invalid request"),
  401: problem("Missing, unknown or revoked credentials"),
  403: problem("The credentials may not act on this company"),
  404: problem("Not found"),
  409: problem("Conflict with the resource's state"),
  413: problem("Body too large"),
  415: problem("Body is not JSON"),
  429: {
    ...problem(
      "`rate_limited`: a rate limit ran out, retry after `Retry-After` seconds. `quota_exceeded`: a company " +
        "quota is used up (stored artifact bytes, open streams); free some first",
    ),
    headers: {
      "Retry-After": header("Seconds until a request would be allowed again (rate_limited)", "integer"),
      "RateLimit-Policy": header(
        'The rate limits of this route (draft-ietf-httpapi-ratelimit-headers): `"submit";q=20;w=1`',
      ),
      RateLimit: header('What is left of each: `"submit";r=0;t=1`'),
    },
  },
  416: {
    ...problem("The `Range` asks for bytes past the end"),
    headers: { "Content-Range": header("`bytes */<size>`: the size of the whole") },
  },
  500: problem("Unexpected error"),
  503: problem("A dependency is unavailable"),
} as const;

export const pick = <K extends keyof typeof errorResponses>(...codes: K[]) =>
  Object.fromEntries(codes.map((code) => [code, errorResponses[code]])) as Pick<typeof errorResponses, K>;
