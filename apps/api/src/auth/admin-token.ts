import { randomBytes } from "node:crypto";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { ConfigError } from "@kiln/core";

export interface ResolveAdminTokenOptions {
  /** `KILN_ADMIN_TOKEN`, when set. */
  configured?: string;
  /** Where a generated development token is kept. */
  dataDir: string;
  production: boolean;
}

/**
 * The admin token: the configured one, or in development one generated on first start and kept
 * in the data directory (mode 600) so it survives restarts. Production must configure one.
 */
export const resolveAdminToken = async ({
  configured,
  dataDir,
  production,
}: ResolveAdminTokenOptions): Promise<{
  token: string;
  source: "env" | "file" | "generated";
  path?: string;
}> => {
  if (configured) return { token: configured, source: "env" };
  if (production)
    throw new ConfigError("Invalid configuration:\n  KILN_ADMIN_TOKEN=(unset): required in production");
  const path = join(dataDir, "admin-token");
  try {
    const stored = (await readFile(path, "utf8")).trim();
    if (stored.length >= 16) return { token: stored, source: "file", path };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
  }
  const token = `kiln_admin_${randomBytes(24).toString("base64url")}`;
  await mkdir(dataDir, { recursive: true });
  // `wx`: when two processes start at once, the second fails here and reads the first one's token.
  try {
    await writeFile(path, `${token}\n`, { mode: 0o600, flag: "wx" });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    return { token: (await readFile(path, "utf8")).trim(), source: "file", path };
  }
  return { token, source: "generated", path };
};
