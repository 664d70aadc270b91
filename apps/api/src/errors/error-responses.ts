import { problemSchema } from "@kiln/core";

const problem = (description: string) => ({
  description,
  content: { "application/problem+json": { schema: problemSchema } },
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
  500: problem("Unexpected error"),
  503: problem("A dependency is unavailable"),
} as const;

export const pick = <K extends keyof typeof errorResponses>(...codes: K[]) =>
  Object.fromEntries(codes.map((code) => [code, errorResponses[code]])) as Pick<typeof errorResponses, K>;
