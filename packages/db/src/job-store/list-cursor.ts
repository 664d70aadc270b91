import { isUuid, KilnError } from "@kiln/core";

/** Position after the last item of a page: (createdAt, id), newest first. Opaque to callers. */
export interface ListCursor {
  createdAt: Date;
  id: string;
}

export const encodeCursor = ({ createdAt, id }: ListCursor): string =>
  Buffer.from(`${createdAt.toISOString()}|${id}`, "utf8").toString("base64url");

// Exactly what encodeCursor writes: a four-digit year, so the date is one PostgreSQL can hold.
const isoPattern = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

export const decodeCursor = (cursor: string): ListCursor => {
  const [at, id] = Buffer.from(cursor, "base64url").toString("utf8").split("|");
  const createdAt = new Date(at ?? "");
  if (!id || !isUuid(id) || !isoPattern.test(at ?? "") || Number.isNaN(createdAt.getTime())) {
    throw new KilnError("bad_request", "cursor is not one this API returned", {
      errors: [{ path: "cursor", message: "invalid cursor" }],
    });
  }
  return { createdAt, id };
};
