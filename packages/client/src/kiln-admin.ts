import { companyPath } from "@kiln/core/api-paths";
import { createTransport } from "./transport.ts";
import type { Company, CreatedApiKey } from "./wire-types.ts";

/** Options of `createKilnAdmin`. */
export interface KilnAdminOptions {
  /** Where the API listens, e.g. `http://localhost:3000`. */
  baseUrl: string;
  /** The operator's `KILN_ADMIN_TOKEN`. */
  adminToken: string;
  /** Default: the global `fetch`. */
  fetch?: typeof globalThis.fetch;
  /** Time allowed per request, in ms. Default `30000`. */
  timeoutMs?: number;
}

/** The operator's client: companies and API keys. */
export const createKilnAdmin = (options: KilnAdminOptions) => {
  // Admin calls create things and carry no idempotency key: none is retried.
  const transport = createTransport({ ...options, token: options.adminToken });
  return {
    createCompany: (name: string) =>
      transport.json<Company>({ method: "POST", path: "/api/companies", body: { name } }),
    /** Creates a key for the company; its `key` is shown only in this answer. */
    createApiKey: (companyId: string, name: string) =>
      transport.json<CreatedApiKey>({
        method: "POST",
        path: `${companyPath(companyId)}/api-keys`,
        body: { name },
      }),
    /** Revokes a key; it stops working at once. */
    revokeApiKey: async (companyId: string, keyId: string): Promise<void> => {
      await transport.json<undefined>({
        method: "DELETE",
        path: `${companyPath(companyId)}/api-keys/${encodeURIComponent(keyId)}`,
      });
    },
  };
};

export type KilnAdmin = ReturnType<typeof createKilnAdmin>;
