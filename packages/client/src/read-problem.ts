import { codeOfStatus, isErrorCode } from "@kiln/core/errors";
import type { Problem } from "./wire-types.ts";

/**
 * Reads an error answer as a problem document. Kiln always answers problem+json, but a proxy in
 * between may not: anything else becomes a problem built from the status, so callers see one shape.
 */
export const readProblem = async (response: Response): Promise<Problem> => {
  const text = await response.text().catch(() => "");
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  const body = (typeof parsed === "object" && parsed !== null ? parsed : {}) as Partial<
    Record<keyof Problem, unknown>
  >;
  const title =
    typeof body.title === "string" ? body.title : response.statusText || `HTTP ${response.status}`;
  return {
    type: typeof body.type === "string" ? body.type : "about:blank",
    title,
    status: response.status,
    detail: typeof body.detail === "string" ? body.detail : text.trim().slice(0, 500) || title,
    code: isErrorCode(body.code) ? body.code : codeOfStatus(response.status),
    ...(Array.isArray(body.errors) && { errors: body.errors as Problem["errors"] }),
  };
};
