import { ApiError } from "../errors/api-error.ts";
import type { Services } from "../services.ts";

/**
 * Refuses a submit (`429 quota_exceeded`) while the company is over a quota that new jobs would
 * add to; called by the submit route before the job is created, so a refused job never exists.
 * Stored artifact bytes come from a copy up to `KILN_ARTIFACT_USAGE_TTL_MS` old: a company can
 * pass its quota by what it submits within that time, never by more.
 */
export const checkSubmitQuota = async (
  services: Pick<Services, "limits" | "artifactBytes" | "metrics">,
  companyId: string,
): Promise<void> => {
  const [limits, storedBytes] = await Promise.all([
    services.limits.get(companyId),
    services.artifactBytes.get(companyId),
  ]);
  if (storedBytes >= limits.maxArtifactBytes) {
    services.metrics.countQuotaRefusal(companyId, "artifact_bytes");
    throw new ApiError(
      "quota_exceeded",
      `The company keeps ${storedBytes} bytes of artifacts, at or over its quota of ${limits.maxArtifactBytes}`,
    );
  }
};
