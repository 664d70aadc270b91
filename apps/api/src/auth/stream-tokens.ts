import { createHmac, timingSafeEqual } from "node:crypto";

export interface StreamTokensOptions {
  /** HMAC key; every API instance must share it. */
  secret: string;
  /** Lifetime of a token, in seconds (≤ 300). */
  ttlSeconds: number;
  now?: () => number;
}

/** What a valid token says: who minted it, for which company, until when. */
export interface StreamTokenClaims {
  companyId: string;
  /** The API key that minted the token: the token dies with it (revocation is checked on use). */
  keyId: string;
  /** Epoch ms after which the token is refused and streams opened with it end. */
  expiresAtMs: number;
}

export interface StreamTokens {
  mint(claims: Omit<StreamTokenClaims, "expiresAtMs">): { token: string; expiresAt: string };
  /** The claims of a well-formed, authentic, unexpired token, or `null`. */
  verify(token: string): StreamTokenClaims | null;
}

const prefix = "kst_";
/** Far above a real token (~190 characters): anything longer is refused before any work. */
const maxStreamTokenLength = 512;
/** Exactly `kst_<base64url payload>.<base64url HMAC-SHA256>` (43 characters, unpadded). */
const tokenPattern = /^kst_([A-Za-z0-9_-]{1,400})\.([A-Za-z0-9_-]{43})$/;

const isClaims = (value: unknown): value is { c: string; k: string; e: number } => {
  if (typeof value !== "object" || value === null) return false;
  const { c, k, e } = value as Record<string, unknown>;
  return typeof c === "string" && typeof k === "string" && typeof e === "number" && Number.isFinite(e);
};

/**
 * Short-lived signed tokens for `EventSource`, which cannot send headers: `kst_<payload>.<hmac>`.
 * Scoped to one company and accepted only by its SSE routes; useless as an API key. The payload
 * names the key that minted it, so revoking that key revokes its tokens.
 */
export const createStreamTokens = ({
  secret,
  ttlSeconds,
  now = Date.now,
}: StreamTokensOptions): StreamTokens => {
  const sign = (payload: string) => createHmac("sha256", secret).update(payload).digest("base64url");
  return {
    mint({ companyId, keyId }) {
      const expiresAtMs = now() + ttlSeconds * 1000;
      const payload = Buffer.from(
        JSON.stringify({ c: companyId, k: keyId, e: expiresAtMs }),
        "utf8",
      ).toString("base64url");
      return {
        token: `${prefix}${payload}.${sign(payload)}`,
        expiresAt: new Date(expiresAtMs).toISOString(),
      };
    },
    verify(token) {
      if (token.length > maxStreamTokenLength) return null;
      const match = tokenPattern.exec(token);
      if (!match) return null;
      const [, payload = "", signature = ""] = match;
      // Both are 43 ASCII characters here: compared in constant time.
      if (!timingSafeEqual(Buffer.from(sign(payload)), Buffer.from(signature))) return null;
      let claims: unknown;
      try {
        claims = JSON.parse(Buffer.from(payload, "base64url").toString("utf8"));
      } catch {
        return null;
      }
      if (!isClaims(claims) || claims.e <= now()) return null;
      return { companyId: claims.c, keyId: claims.k, expiresAtMs: claims.e };
    },
  };
};
