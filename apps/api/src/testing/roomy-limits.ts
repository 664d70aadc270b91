/**
 * Company limits no test or benchmark meets unless it sets its own: tests and benchmarks submit and
 * read far faster than a tenant may by default, and the limits have tests of their own.
 */
export const roomyLimits: Record<string, string> = {
  KILN_LIMIT_SUBMITS_PER_SECOND_PER_KEY: "100000",
  KILN_LIMIT_SUBMITS_PER_SECOND_PER_COMPANY: "100000",
  KILN_LIMIT_READS_PER_SECOND_PER_KEY: "100000",
  KILN_LIMIT_MAX_ACTIVE_JOBS: "10000000",
  KILN_LIMIT_MAX_OPEN_STREAMS: "100000",
};
