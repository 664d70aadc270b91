import type { Logger } from "@kiln/core";
import { pino } from "pino";

export interface CreateLoggerOptions {
  /** Default `info`. */
  level?: string;
  /** Bound to every line, e.g. `{ service: "api" }`. */
  base?: Record<string, unknown>;
}

/**
 * Structured JSON logs (pino). Secrets are redacted by key wherever they appear, as a second line
 * of defence: the code never logs keys, tokens or query strings in the first place.
 */
export const createLogger = ({ level = "info", base = {} }: CreateLoggerOptions = {}): Logger =>
  pino({
    level,
    base,
    redact: {
      paths: [
        "authorization",
        "*.authorization",
        "headers.authorization",
        "*.headers.authorization",
        "key",
        "*.key",
        "token",
        "*.token",
        "access_token",
        "*.access_token",
        "adminToken",
        "*.adminToken",
      ],
      censor: "[redacted]",
    },
    serializers: { err: pino.stdSerializers.err },
  }) as unknown as Logger;
