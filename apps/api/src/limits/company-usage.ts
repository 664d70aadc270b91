import type { CompanyUsage } from "@kiln/core";
import type { Services } from "../services.ts";

/**
 * A company's limits and what it uses of each, read now: jobs from PostgreSQL, open streams and
 * rate-limit state from Redis. With `keyId`, the key's own rate limits are included.
 */
export const readCompanyUsage = async (
  services: Pick<Services, "limits" | "companyUsage" | "streamLeases" | "rateLimits">,
  companyId: string,
  keyId: string | null,
): Promise<CompanyUsage> => {
  const limits = await services.limits.get(companyId);
  const subject = { companyId, keyId };
  const [jobs, openStreams, artifactBytes, submitStates, readStates] = await Promise.all([
    services.companyUsage.activeJobs(companyId),
    services.streamLeases.count(companyId),
    services.companyUsage.artifactBytes(companyId),
    services.rateLimits.peek("submit", subject, limits),
    services.rateLimits.peek("read", subject, limits),
  ]);
  return {
    companyId,
    limits,
    usage: {
      activeJobs: jobs.queued + jobs.running,
      queuedJobs: jobs.queued,
      runningJobs: jobs.running,
      runningByJobType: jobs.runningByJobType,
      openStreams,
      artifactBytes,
    },
    rateLimits: [...submitStates, ...readStates],
  };
};
