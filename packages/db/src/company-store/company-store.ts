import { randomUUID } from "node:crypto";
import type { Company, CreatedApiKey } from "@kiln/core";
import type { PrismaClient } from "../generated/prisma/client.ts";
import { digestsEqual, generateApiKey, hashSecret, prefixOfKey } from "./api-key-format.ts";

export interface CompanyStoreOptions {
  prisma: PrismaClient;
}

/** Companies and their API keys, in PostgreSQL. Keys are stored hashed; a key is visible only once. */
export interface CompanyStore {
  /** Creates a company with a new id; names need not be unique. */
  createCompany(name: string): Promise<Company>;
  /** `true` when a company has this id (admin routes answer `404` otherwise). */
  companyExists(companyId: string): Promise<boolean>;
  /** Creates a key; the returned `key` is the only time it is ever visible. */
  createApiKey(companyId: string, name: string): Promise<CreatedApiKey>;
  /** `true` when an active key was revoked; it stops working at once. */
  revokeApiKey(companyId: string, keyId: string): Promise<boolean>;
  /** `true` while the key exists, belongs to the company and is not revoked (one read by primary key). */
  isApiKeyActive(keyId: string, companyId: string): Promise<boolean>;
  /** Which of these keys are revoked or gone: the streams they opened must end. */
  inactiveApiKeyIds(keyIds: string[]): Promise<string[]>;
  /** The company of an active key, or `null`: unknown, malformed and revoked keys look the same. */
  authenticateApiKey(key: string): Promise<{ companyId: string; keyId: string } | null>;
}

export const createCompanyStore = ({ prisma }: CompanyStoreOptions): CompanyStore => ({
  async createCompany(name) {
    const row = await prisma.company.create({ data: { id: randomUUID(), name } });
    return { id: row.id, name: row.name, createdAt: row.createdAt.toISOString() };
  },

  async companyExists(companyId) {
    return (await prisma.company.count({ where: { id: companyId } })) === 1;
  },

  async createApiKey(companyId, name) {
    const { key, prefix, hash } = generateApiKey();
    const row = await prisma.apiKey.create({ data: { id: randomUUID(), companyId, name, prefix, hash } });
    return { id: row.id, name: row.name, prefix: row.prefix, key, createdAt: row.createdAt.toISOString() };
  },

  async revokeApiKey(companyId, keyId) {
    const { count } = await prisma.apiKey.updateMany({
      where: { id: keyId, companyId, revokedAt: null },
      data: { revokedAt: new Date() },
    });
    return count === 1;
  },

  async isApiKeyActive(keyId, companyId) {
    const row = await prisma.apiKey.findUnique({
      where: { id: keyId },
      select: { companyId: true, revokedAt: true },
    });
    return row !== null && row.companyId === companyId && row.revokedAt === null;
  },

  async inactiveApiKeyIds(keyIds) {
    if (keyIds.length === 0) return [];
    const active = await prisma.apiKey.findMany({
      where: { id: { in: keyIds }, revokedAt: null },
      select: { id: true },
    });
    const stillActive = new Set(active.map((row) => row.id));
    return keyIds.filter((id) => !stillActive.has(id));
  },

  async authenticateApiKey(key) {
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
