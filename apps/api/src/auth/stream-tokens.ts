import { createHmac, timingSafeEqual } from "node:crypto";

export interface StreamTokensOptions {
  /** HMAC key; every API instance must share it. */
  secret: string;
  /** Lifetime of a token, in seconds (≤ 300). */
  ttlSeconds: number;
  now?: () => number;
}

export interface StreamTokens {
  mint(companyId: string): { token: string; expiresAt: string };
  /** The company a valid, unexpired token is for, or `null`. */
  verify(token: string): string | null;
}

const prefix = "kst_";

/**
 * Short-lived signed tokens for `EventSource`, which cannot send headers: `kst_<payload>.<hmac>`.
 * Scoped to one company and accepted only by its SSE routes; useless as an API key.
 */
export const createStreamTokens = ({
  secret,
  ttlSeconds,
  now = Date.now,
}: StreamTokensOptions): StreamTokens => {
  const sign = (payload: string) => createHmac("sha256", secret).update(payload).digest("base64url");
  return {
    mint(companyId) {
      const expiresAtMs = now() + ttlSeconds * 1000;
      const payload = Buffer.from(JSON.stringify({ c: companyId, e: expiresAtMs }), "utf8").toString(
        "base64url",
      );
      return {
        token: `${prefix}${payload}.${sign(payload)}`,
        expiresAt: new Date(expiresAtMs).toISOString(),
      };
    },
    verify(token) {
      if (!token.startsWith(prefix)) return null;
      const [payload, signature] = token.slice(prefix.length).split(".");
      if (!payload || !signature) return null;
      const expected = Buffer.from(sign(payload));
      const given = Buffer.from(signature);
      if (expected.length !== given.length || !timingSafeEqual(expected, given)) return null;
      try {
        const { c, e } = JSON.parse(Buffer.from(payload, "base64url").toString("utf8")) as {
          c?: unknown;
          e?: unknown;
        };
        if (typeof c !== "string" || typeof e !== "number" || e <= now()) return null;
        return c;
      } catch {
        return null;
      }
    },
  };
};
