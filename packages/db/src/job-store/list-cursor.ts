import { KilnError } from "@kiln/core";

/** Position after the last item of a page: (createdAt, id), newest first. Opaque to callers. */
export interface ListCursor {
  createdAt: Date;
  id: string;
}

export const encodeCursor = ({ createdAt, id }: ListCursor): string =>
  Buffer.from(`${createdAt.toISOString()}|${id}`, "utf8").toString("base64url");

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export const decodeCursor = (cursor: string): ListCursor => {
  const [at, id] = Buffer.from(cursor, "base64url").toString("utf8").split("|");
  const createdAt = new Date(at ?? "");
  if (!id || !uuidPattern.test(id) || Number.isNaN(createdAt.getTime())) {
    throw new KilnError("bad_request", "cursor is not one this API returned", {
      errors: [{ path: "cursor", message: "invalid cursor" }],
    });
  }
  return { createdAt, id };
};
