/** Where a company's events live in Redis. One place, so producers and readers agree. */
export const eventKeys = (prefix: string) => ({
  companyStream: (companyId: string) => `${prefix}:events:company:${companyId}`,
  jobStream: (jobId: string) => `${prefix}:events:job:${jobId}`,
  companyChannel: (companyId: string) => `${prefix}:events:live:${companyId}`,
});
