import type { Job, JobPage, JobTypeDescription, StreamToken } from "@kiln/core";
import { companyPath, jobPath } from "@kiln/core/api-paths";
import type { QueueHealth } from "../queue-health.ts";
import type { Session } from "./session.ts";

/** An error answer of the API, with its problem+json document when there was one. */
export class ApiFailure extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly fieldErrors: { path: string; message: string }[] = [],
  ) {
    super(message);
  }
}

const failureOf = async (response: Response): Promise<ApiFailure> => {
  try {
    const problem = (await response.json()) as {
      detail?: string;
      title?: string;
      errors?: ApiFailure["fieldErrors"];
    };
    return new ApiFailure(
      response.status,
      problem.detail ?? problem.title ?? response.statusText,
      problem.errors,
    );
  } catch {
    return new ApiFailure(response.status, `${response.status} ${response.statusText}`);
  }
};

const call = async (secret: string, method: string, path: string, body?: unknown): Promise<Response> => {
  const headers: Record<string, string> = { authorization: `Bearer ${secret}` };
  if (body !== undefined) headers["content-type"] = "application/json";
  const response = await fetch(path, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
    credentials: "omit",
    cache: "no-store",
  });
  if (!response.ok) throw await failureOf(response);
  return response;
};

const json = async <T>(secret: string, method: string, path: string, body?: unknown): Promise<T> =>
  (await (await call(secret, method, path, body)).json()) as T;

/** Checks a company key by minting a stream token with it (any company route would do). */
export const verifyCompanyKey = (companyId: string, key: string) =>
  json<StreamToken>(key, "POST", `${companyPath(companyId)}/stream-tokens`);

/** An admin acts on a company through a key minted for the session (revoked at sign-out). */
export const mintSessionKey = (adminToken: string, companyId: string) =>
  json<{ id: string; key: string }>(adminToken, "POST", `${companyPath(companyId)}/api-keys`, {
    name: `dashboard session ${new Date().toISOString()}`,
  });

export const revokeSessionKey = async (adminToken: string, companyId: string, keyId: string) => {
  await call(adminToken, "DELETE", `${companyPath(companyId)}/api-keys/${encodeURIComponent(keyId)}`);
};

export interface ListFilters {
  status?: string;
  jobType?: string;
  sourceTaskId?: string;
  cursor?: string;
}

/** Everything the dashboard asks the API, with the signed-in session's credentials. */
export const createApi = (session: Session) => {
  const base = companyPath(session.companyId);
  const jobPathOf = (jobId: string) => jobPath(session.companyId, jobId);
  return {
    base,
    jobPath: jobPathOf,
    listJobs(filters: ListFilters) {
      const query = new URLSearchParams({ limit: "100" });
      for (const [name, value] of Object.entries(filters)) if (value) query.set(name, value);
      return json<JobPage>(session.key, "GET", `${base}/content-jobs?${query}`);
    },
    getJob: (jobId: string) => json<Job>(session.key, "GET", jobPathOf(jobId)),
    cancelJob: (jobId: string) => json<Job>(session.key, "POST", `${jobPathOf(jobId)}/cancel`),
    retryJob: (jobId: string) => json<Job>(session.key, "POST", `${jobPathOf(jobId)}/retry`),
    submitJob: (body: unknown) => json<{ jobId: string }>(session.key, "POST", `${base}/content-jobs`, body),
    jobTypes: () => json<JobTypeDescription[]>(session.key, "GET", "/api/job-types"),
    mintStreamToken: async () =>
      (await json<StreamToken>(session.key, "POST", `${base}/stream-tokens`)).token,
    /** Artifact bytes need the Authorization header, so they come as a Blob for an object URL. */
    // Streamed through the API even where it redirects downloads to S3: this page's CSP
    // (connect-src 'self') would block the store's origin.
    artifactBlob: async (url: string) => (await call(session.key, "GET", `${url}?redirect=false`)).blob(),
    queueHealth: () =>
      session.admin
        ? json<QueueHealth>(session.admin.token, "GET", "/api/admin/queue-health")
        : Promise.reject(new ApiFailure(401, "Queue health is for admins")),
  };
};

export type DashboardApi = ReturnType<typeof createApi>;
