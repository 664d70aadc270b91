import type { KilnClientOptions } from "../kiln-client.ts";
import { type FlagValues, intFlag, stringFlag, UsageError } from "./cli-flags.ts";

export const defaultKilnUrl = "http://localhost:3000";

/**
 * Client options from flags, then the environment: `--url`/`KILN_URL` (default
 * http://localhost:3000), `--api-key`/`KILN_API_KEY`, `--company-id`/`KILN_COMPANY_ID`.
 */
export const resolveClientOptions = (
  values: FlagValues,
  env: Record<string, string | undefined>,
  needsCredentials: boolean,
): KilnClientOptions => {
  const baseUrl = stringFlag(values, "url") ?? (env.KILN_URL || defaultKilnUrl);
  let protocol: string | undefined;
  try {
    protocol = new URL(baseUrl).protocol;
  } catch {
    protocol = undefined;
  }
  if (protocol !== "http:" && protocol !== "https:") {
    throw new UsageError(`the API URL must start with http:// or https:// (got ${JSON.stringify(baseUrl)})`);
  }
  const apiKey = stringFlag(values, "api-key") ?? env.KILN_API_KEY ?? "";
  const companyId = stringFlag(values, "company-id") ?? env.KILN_COMPANY_ID ?? "";
  if (needsCredentials && !apiKey) throw new UsageError("no API key: set KILN_API_KEY or pass --api-key");
  if (needsCredentials && !companyId)
    throw new UsageError("no company: set KILN_COMPANY_ID or pass --company-id");
  return { baseUrl, apiKey, companyId, timeoutMs: intFlag(values, "timeout-ms", { min: 1, max: 3_600_000 }) };
};
