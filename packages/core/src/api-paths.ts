// Kept free of zod: the client and the dashboard's bundle build their request paths with it.

/**
 * Where the API serves a company's resources. The job rows' artifact URLs, the submit's
 * `Location`, the client and the dashboard all build paths here, so they cannot drift apart.
 */
export const companyPath = (companyId: string): string => `/api/companies/${encodeURIComponent(companyId)}`;

export const jobPath = (companyId: string, jobId: string): string =>
  `${companyPath(companyId)}/content-jobs/${encodeURIComponent(jobId)}`;

/** Where one artifact's bytes are downloaded: `Artifact.url`. */
export const artifactPath = (companyId: string, jobId: string, name: string): string =>
  `${jobPath(companyId, jobId)}/artifacts/${encodeURIComponent(name)}`;
