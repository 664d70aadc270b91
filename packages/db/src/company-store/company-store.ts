import { randomUUID } from "node:crypto";
import type { PrismaClient } from "../generated/prisma/client.ts";
import { digestsEqual, generateApiKey, hashSecret, prefixOfKey } from "./api-key-format.ts";

export interface CompanyStoreOptions {
  prisma: PrismaClient;
}

export interface CompanyView {
  id: string;
  name: string;
  createdAt: string;
}

/** Companies and their API keys. */
export const createCompanyStore = ({ prisma }: CompanyStoreOptions) => ({
  async createCompany(name: string): Promise<CompanyView> {
    const row = await prisma.company.create({ data: { id: randomUUID(), name } });
    return { id: row.id, name: row.name, createdAt: row.createdAt.toISOString() };
  },

  async companyExists(companyId: string): Promise<boolean> {
    return (await prisma.company.count({ where: { id: companyId } })) === 1;
  },

  /** Creates a key; the returned `key` is the only time it is ever visible. */
  async createApiKey(companyId: string, name: string) {
    const { key, prefix, hash } = generateApiKey();
    const row = await prisma.apiKey.create({ data: { id: randomUUID(), companyId, name, prefix, hash } });
    return { id: row.id, name: row.name, prefix: row.prefix, key, createdAt: row.createdAt.toISOString() };
  },

  /** `true` when an active key was revoked; it stops working at once. */
  async revokeApiKey(companyId: string, keyId: string): Promise<boolean> {
    const { count } = await prisma.apiKey.updateMany({
      where: { id: keyId, companyId, revokedAt: null },
      data: { revokedAt: new Date() },
    });
    return count === 1;
  },

  /** `true` while the key exists, belongs to the company and is not revoked (one read by primary key). */
  async isApiKeyActive(keyId: string, companyId: string): Promise<boolean> {
    const row = await prisma.apiKey.findUnique({
      where: { id: keyId },
      select: { companyId: true, revokedAt: true },
    });
    return row !== null && row.companyId === companyId && row.revokedAt === null;
  },

  /** Which of these keys are revoked or gone: the streams they opened must end. */
  async inactiveApiKeyIds(keyIds: string[]): Promise<string[]> {
    if (keyIds.length === 0) return [];
    const active = await prisma.apiKey.findMany({
      where: { id: { in: keyIds }, revokedAt: null },
      select: { id: true },
    });
    const stillActive = new Set(active.map((row) => row.id));
    return keyIds.filter((id) => !stillActive.has(id));
  },

  /** The company of an active key, or `null`: unknown, malformed and revoked keys look the same. */
  async authenticateApiKey(key: string): Promise<{ companyId: string; keyId: string } | null> {
    const prefix = prefixOfKey(key);
    if (!prefix) return null;
    const row = await prisma.apiKey.findUnique({
      where: { prefix },
      select: { id: true, companyId: true, hash: true, revokedAt: true },
    });
    if (!row || !digestsEqual(row.hash, hashSecret(key)) || row.revokedAt) return null;
    return { companyId: row.companyId, keyId: row.id };
  },
});

export type CompanyStore = ReturnType<typeof createCompanyStore>;
