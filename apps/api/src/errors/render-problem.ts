import { codeOfStatus, KilnError, toFieldErrors } from "@kiln/core";
import { isDatabaseUnavailable, isDataException } from "@kiln/db";
import { isRedisUnavailable } from "@kiln/queue";
import type { Context } from "hono";
import { HTTPException } from "hono/http-exception";
import type { ZodError } from "zod";
import type { AppEnv } from "../services.ts";
import { ApiError, toProblem } from "./api-error.ts";
import { malformedQueryIn, malformedTextIn } from "./well-formed-text.ts";

/** Maps anything thrown to a KilnError a caller may see; unexpected errors lose their details here. */
export const toKilnError = (error: unknown): KilnError => {
  if (error instanceof KilnError) return error;
  // Every value the API sends to SQL comes from the request: a value PostgreSQL refuses is the request's fault.
  if (isDataException(error)) {
    return new ApiError(
      "bad_request",
      "The request holds a value that cannot be stored (e.g. a NUL character)",
    );
  }
  if (error instanceof HTTPException) {
    const code = codeOfStatus(error.status);
    const detail = error.status === 400 ? "The request body is not valid JSON" : error.message;
    return new ApiError(code, detail || code);
  }
  if (isDatabaseUnavailable(error) || isRedisUnavailable(error))
    return new ApiError("unavailable", "A dependency is unavailable; retry later");
  return new ApiError("internal", "An unexpected error occurred; it has been logged");
};

/** The one error renderer: `onError`, the validation hook and not-found all answer through it. */
export const renderProblem = (c: Context<AppEnv>, error: unknown): Response => {
  const kilnError = toKilnError(error);
  const problem = toProblem(kilnError);
  if (problem.status >= 500) {
    c.var.services?.logger.error(
      { err: error, requestId: c.var.requestId, path: c.req.path },
      "request failed",
    );
  }
  const headers: Record<string, string> = {
    ...(kilnError instanceof ApiError && kilnError.headers),
    "content-type": "application/problem+json",
  };
  if (problem.status === 503) headers["retry-after"] = "5";
  return new Response(JSON.stringify(problem), { status: problem.status, headers });
};

/**
 * Text that is not well-formed Unicode, wherever a route reads it (body, headers, query): one rule
 * for every field, applied before anything is stored.
 */
const rejectMalformedText = (data: unknown, target: string, c: Context<AppEnv>): Response | undefined => {
  if (target !== "json" && target !== "header" && target !== "query") return undefined;
  const errors = [...(target === "query" ? malformedQueryIn(c.req.url) : []), ...malformedTextIn(data)];
  if (errors.length === 0) return undefined;
  const where = target === "json" ? "request body" : target;
  return renderProblem(
    c,
    new ApiError("validation_failed", `The ${where} holds text that is not well-formed Unicode`, { errors }),
  );
};

/**
 * The validation hook of every route: every zod issue becomes an `errors[]` entry with its path,
 * and valid data still has its text checked (see `rejectMalformedText`).
 */
export const validationHook = (
  result:
    | { success: true; data: unknown; target: string }
    | { success: false; error: ZodError; target: string },
  c: Context<AppEnv>,
): Response | undefined => {
  if (result.success) return rejectMalformedText(result.data, result.target, c);
  return renderProblem(
    c,
    new ApiError(
      "validation_failed",
      `Invalid ${result.target === "json" ? "request body" : result.target}`,
      {
        errors: toFieldErrors(result.error.issues),
      },
    ),
  );
};
