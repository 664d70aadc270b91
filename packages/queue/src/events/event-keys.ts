import { hashTag } from "../hash-tags.ts";

/**
 * Where a company's events live in Redis. One place, so producers and readers agree. Every key and
 * the live channel carry the company's hash tag: the append script writes the company's stream and
 * the job's stream and publishes, in one slot of a cluster.
 */
export const eventKeys = (prefix: string) => {
  const base = (companyId: string) => `${prefix}:events:${hashTag(companyId)}`;
  return {
    companyStream: (companyId: string) => `${base(companyId)}:company`,
    jobStream: (companyId: string, jobId: string) => `${base(companyId)}:job:${jobId}`,
    companyChannel: (companyId: string) => `${base(companyId)}:live`,
  };
};
