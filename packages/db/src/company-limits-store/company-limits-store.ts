import { type CompanyLimitOverrides, type CompanyLimitsPatch, runningCapsSchema } from "@kiln/core";
import type { CompanyLimits as CompanyLimitsRow } from "../generated/prisma/client.ts";
import { Prisma, type PrismaClient } from "../generated/prisma/client.ts";

export interface CompanyLimitsStoreOptions {
  prisma: PrismaClient;
}

/** A company's queued and running jobs, as counted in PostgreSQL. */
export interface ActiveJobCounts {
  queued: number;
  running: number;
  runningByJobType: Record<string, number>;
}

const overridesOfRow = (row: CompanyLimitsRow | null): CompanyLimitOverrides => {
  if (!row) return {};
  const { maxArtifactBytes, maxRunningPerJobType, companyId: _, updatedAt: __, ...counts } = row;
  // The other columns are whole numbers named as the limits they override.
  const overrides: CompanyLimitOverrides = Object.fromEntries(
    Object.entries(counts).filter(([, value]) => value !== null),
  );
  if (maxArtifactBytes !== null) overrides.maxArtifactBytes = Number(maxArtifactBytes);
  // Only a validated PATCH writes this column, so anything else is a defect worth failing loudly.
  if (maxRunningPerJobType !== null)
    overrides.maxRunningPerJobType = runningCapsSchema.parse(maxRunningPerJobType);
  return overrides;
};

/** The columns a patch writes: absent fields are left alone, `null` clears an override. */
const columnsOfPatch = (patch: CompanyLimitsPatch) => {
  const { maxArtifactBytes, maxRunningPerJobType, ...counts } = patch;
  return {
    ...counts,
    ...(maxArtifactBytes !== undefined && {
      maxArtifactBytes: maxArtifactBytes === null ? null : BigInt(maxArtifactBytes),
    }),
    ...(maxRunningPerJobType !== undefined && {
      maxRunningPerJobType: maxRunningPerJobType === null ? Prisma.DbNull : maxRunningPerJobType,
    }),
  };
};

/** Per-company limit overrides, and the usage the limits are measured against. */
export const createCompanyLimitsStore = ({ prisma }: CompanyLimitsStoreOptions) => ({
  /** The limits an admin set for this company (none: `{}`). */
  async getOverrides(companyId: string): Promise<CompanyLimitOverrides> {
    return overridesOfRow(await prisma.companyLimits.findUnique({ where: { companyId } }));
  },

  /** Applies a validated patch in one statement and returns the overrides now in force. */
  async updateOverrides(companyId: string, patch: CompanyLimitsPatch): Promise<CompanyLimitOverrides> {
    const columns = columnsOfPatch(patch);
    const row = await prisma.companyLimits.upsert({
      where: { companyId },
      create: { companyId, ...columns },
      update: { ...columns, updatedAt: new Date() },
    });
    return overridesOfRow(row);
  },

  /**
   * Bytes of every artifact the company's jobs hold, from the sizes recorded on the rows. Reads
   * each of its jobs that has artifacts, so callers cache it (see the API's artifact usage).
   */
  async artifactBytes(companyId: string): Promise<number> {
    const [row] = await prisma.$queryRaw<{ bytes: bigint }[]>`
      SELECT COALESCE(SUM((artifact->>'size')::bigint), 0)::bigint AS bytes
        FROM content_jobs, jsonb_array_elements(artifacts) AS artifact
       WHERE company_id = ${companyId}::uuid AND artifacts <> '[]'::jsonb`;
    return Number(row?.bytes ?? 0);
  },

  /** Queued and running jobs of one company (served by the company + status index). */
  async activeJobs(companyId: string): Promise<ActiveJobCounts> {
    const groups = await prisma.contentJob.groupBy({
      by: ["status", "jobType"],
      where: { companyId, status: { in: ["queued", "running"] } },
      _count: { _all: true },
    });
    const counts: ActiveJobCounts = { queued: 0, running: 0, runningByJobType: {} };
    for (const { status, jobType, _count } of groups) {
      if (status === "queued") counts.queued += _count._all;
      else {
        counts.running += _count._all;
        counts.runningByJobType[jobType] = _count._all;
      }
    }
    return counts;
  },

  /** Queued and running jobs per company, every company that has any (for metrics). */
  async activeJobsByCompany(): Promise<{ companyId: string; queued: number; running: number }[]> {
    const groups = await prisma.contentJob.groupBy({
      by: ["companyId", "status"],
      where: { status: { in: ["queued", "running"] } },
      _count: { _all: true },
    });
    const byCompany = new Map<string, { companyId: string; queued: number; running: number }>();
    for (const { companyId, status, _count } of groups) {
      const entry = byCompany.get(companyId) ?? { companyId, queued: 0, running: 0 };
      if (status === "queued") entry.queued = _count._all;
      else entry.running = _count._all;
      byCompany.set(companyId, entry);
    }
    return [...byCompany.values()];
  },
});

export type CompanyLimitsStore = ReturnType<typeof createCompanyLimitsStore>;
