import { createHash, timingSafeEqual } from "node:crypto";

const sha256 = (value: string): Buffer => createHash("sha256").update(value, "utf8").digest();

/** What the API keeps of the admin token: its SHA-256 (hex), never the token itself. */
export const hashAdminToken = (token: string): string => sha256(token).toString("hex");

/** Compares a presented token with the admin token's hash in constant time. */
export const isAdminToken = (token: string, adminTokenHash: string): boolean =>
  timingSafeEqual(sha256(token), Buffer.from(adminTokenHash, "hex"));

/** Hashing both sides first gives equal lengths, so the comparison takes the same time for any input. */
export const sameSecret = (presented: string, expected: string): boolean =>
  timingSafeEqual(sha256(presented), sha256(expected));
