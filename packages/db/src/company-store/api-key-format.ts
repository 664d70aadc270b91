import { createHash, randomBytes, timingSafeEqual } from "node:crypto";

/**
 * API keys look like `kiln_<8 id chars>_<43 secret chars>`. The `kiln_<id>` part is the
 * display prefix (stored in clear, used to find the row); only a SHA-256 of the whole key is stored.
 * A fast hash is right here: keys carry 256 bits of entropy, so there is nothing to brute-force.
 */
const keyPattern = /^(kiln_[a-z0-9]{8})_[A-Za-z0-9_-]{43}$/;

export const hashSecret = (secret: string): string =>
  createHash("sha256").update(secret, "utf8").digest("hex");

export const generateApiKey = (): { key: string; prefix: string; hash: string } => {
  const id = randomBytes(8)
    .toString("base64url")
    .toLowerCase()
    .replace(/[^a-z0-9]/g, "0")
    .slice(0, 8);
  const prefix = `kiln_${id}`;
  const key = `${prefix}_${randomBytes(32).toString("base64url")}`;
  return { key, prefix, hash: hashSecret(key) };
};

export const prefixOfKey = (key: string): string | null => keyPattern.exec(key)?.[1] ?? null;

/** Compares two hex digests without leaking where they differ. */
export const digestsEqual = (a: string, b: string): boolean => {
  const left = Buffer.from(a, "hex");
  const right = Buffer.from(b, "hex");
  return left.length === right.length && timingSafeEqual(left, right);
};
