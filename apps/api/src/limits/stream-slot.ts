import type { StreamLease } from "@kiln/limits";
import { ApiError } from "../errors/api-error.ts";
import type { Services } from "../services.ts";

/**
 * Takes one of the company's open-stream slots (fleet-wide) before an SSE stream opens, or refuses
 * with `429 quota_exceeded`. The stream releases the slot when it ends, however it ends.
 */
export const acquireStreamSlot = async (
  services: Pick<Services, "limits" | "streamLeases" | "metrics">,
  companyId: string,
): Promise<StreamLease> => {
  const { maxOpenStreams } = await services.limits.get(companyId);
  const answer = await services.streamLeases.acquire(companyId, maxOpenStreams);
  if (answer.granted) return answer.lease;
  services.metrics.countQuotaRefusal(companyId, "open_streams");
  throw new ApiError(
    "quota_exceeded",
    `The company has ${answer.open} event streams open, its limit is ${maxOpenStreams}: close one first`,
  );
};
