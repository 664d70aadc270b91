import type { Job, JobSummary, SubmitJobBody } from "@kiln/core";
import { artifactPath, companyPath, jobPath } from "@kiln/core/api-paths";
import type { JobType, TypedSubmitBody } from "./job-inputs.ts";
import { createJobStreams } from "./job-streams.ts";
import { createTransport, type RetryOptions } from "./transport.ts";
import type {
  JobAccepted,
  JobPage,
  JobSummaryPage,
  JobTypeDescription,
  ListJobsFilters,
  StreamToken,
} from "./wire-types.ts";

/** Options of `createKilnClient`. */
export interface KilnClientOptions {
  /** Where the API listens, e.g. `http://localhost:3000`. */
  baseUrl: string;
  /** An API key of the company (`kiln_…`), sent as `Authorization: Bearer …`. */
  apiKey: string;
  /** The company the key belongs to; every job route is under it. */
  companyId: string;
  /** Default: the global `fetch`. Pass one to add a proxy agent, logging, or a test double. */
  fetch?: typeof globalThis.fetch;
  /** Time allowed per request, in ms (for streams and downloads: until the headers). Default `30000`. */
  timeoutMs?: number;
  /** Retries of safe requests after a `503` or a failed connection (GETs, submits with an idempotency key). */
  retry?: RetryOptions;
}

/** Per-call options. */
export interface CallOptions {
  /** Aborts the call; it rejects with the signal's reason. */
  signal?: AbortSignal;
}

export interface SubmitOptions extends CallOptions {
  /**
   * Sent as `Idempotency-Key`: the same key (per company, 24 h) returns the same job, so the
   * submit is also retried after a `503` or a dropped connection. Reusing it with another body is a `409`.
   */
  idempotencyKey?: string;
}

/** Filters of `listJobs` that ask for whole Jobs, each with its `input`. */
export type ListJobsWithInputFilters = ListJobsFilters & { include: "input" };

/** An artifact's bytes, all in memory. */
export interface DownloadedArtifact {
  bytes: Uint8Array;
  contentType: string;
  /** Quoted sha256 of the bytes, e.g. `"3a7b…"`. */
  etag: string | null;
}

/** An artifact as a stream, for large files: read or cancel `body`. */
export interface ArtifactStream {
  body: ReadableStream<Uint8Array>;
  contentType: string;
  etag: string | null;
  /** `Content-Length`, when the server sent it. */
  size: number | null;
}

/** A typed client of one company's Kiln API. */
export const createKilnClient = (options: KilnClientOptions) => {
  const transport = createTransport({ ...options, token: options.apiKey });
  const { companyId } = options;
  const company = companyPath(companyId);
  const contentTypeOf = (response: Response) =>
    response.headers.get("content-type") ?? "application/octet-stream";

  const submitDynamic = (body: SubmitJobBody, { idempotencyKey, signal }: SubmitOptions = {}) =>
    transport.json<JobAccepted>({
      method: "POST",
      path: `${company}/content-jobs`,
      body,
      signal,
      headers: idempotencyKey ? { "idempotency-key": idempotencyKey } : {},
      retryable: idempotencyKey !== undefined,
    });

  // Summaries by default; whole Jobs with `include: "input"`. The overloads give each its type.
  function listJobs(filters: ListJobsWithInputFilters, options?: CallOptions): Promise<JobPage>;
  function listJobs(filters?: ListJobsFilters, options?: CallOptions): Promise<JobSummaryPage>;
  function listJobs(
    filters: ListJobsFilters = {},
    { signal }: CallOptions = {},
  ): Promise<JobPage | JobSummaryPage> {
    return transport.json<JobPage | JobSummaryPage>({
      method: "GET",
      path: `${company}/content-jobs`,
      query: { ...filters },
      signal,
      retryable: true,
    });
  }

  function iterateJobs(
    filters: Omit<ListJobsWithInputFilters, "cursor">,
    options?: CallOptions,
  ): AsyncGenerator<Job, void>;
  function iterateJobs(
    filters?: Omit<ListJobsFilters, "cursor">,
    options?: CallOptions,
  ): AsyncGenerator<JobSummary, void>;
  async function* iterateJobs(
    filters: Omit<ListJobsFilters, "cursor"> = {},
    callOptions: CallOptions = {},
  ): AsyncGenerator<Job | JobSummary, void> {
    let cursor: string | undefined;
    do {
      const page: JobPage | JobSummaryPage = await listJobs({ ...filters, cursor }, callOptions);
      yield* page.items;
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
  }

  return {
    companyId: options.companyId,
    /** Submits a job; `input` is typed by `jobType`. Answers at once, with the job queued. */
    submit: <T extends JobType>(body: TypedSubmitBody<T>, submitOptions?: SubmitOptions) =>
      submitDynamic(body, submitOptions),
    /** Submits a job whose type is known only at run time (the CLI, a newer server); the API validates it. */
    submitDynamic,
    getJob: (jobId: string, { signal }: CallOptions = {}) =>
      transport.json<Job>({ method: "GET", path: jobPath(companyId, jobId), signal, retryable: true }),
    /**
     * One page of jobs, newest first; pass `nextCursor` back as `cursor` for the next. Items are
     * summaries (no `input`); `include: "input"` lists whole Jobs.
     */
    listJobs,
    /**
     * Every job matching the filters, newest first, reading page after page (`limit` sets the page
     * size). Summaries, or whole Jobs with `include: "input"`.
     */
    iterateJobs,
    /** Cancels a queued or running job; a terminal job answers `409`. */
    cancel: (jobId: string, { signal }: CallOptions = {}) =>
      transport.json<Job>({ method: "POST", path: `${jobPath(companyId, jobId)}/cancel`, signal }),
    /** Queues a failed or cancelled job again; any other status answers `409`. */
    retry: (jobId: string, { signal }: CallOptions = {}) =>
      transport.json<Job>({ method: "POST", path: `${jobPath(companyId, jobId)}/retry`, signal }),
    async downloadArtifact(
      jobId: string,
      name: string,
      { signal }: CallOptions = {},
    ): Promise<DownloadedArtifact> {
      const { response, bytes } = await transport.bytes({
        method: "GET",
        path: artifactPath(companyId, jobId, name),
        signal,
        retryable: true,
      });
      return { bytes, contentType: contentTypeOf(response), etag: response.headers.get("etag") };
    },
    async downloadArtifactStream(
      jobId: string,
      name: string,
      { signal }: CallOptions = {},
    ): Promise<ArtifactStream> {
      const response = await transport.stream({
        method: "GET",
        path: artifactPath(companyId, jobId, name),
        signal,
        retryable: true,
      });
      const length = response.headers.get("content-length");
      return {
        body: response.body ?? new ReadableStream({ start: (controller) => controller.close() }),
        contentType: contentTypeOf(response),
        etag: response.headers.get("etag"),
        size: length === null ? null : Number(length),
      };
    },
    /** A short-lived token for `EventSource` (`?access_token=`), which cannot send headers. */
    mintStreamToken: ({ signal }: CallOptions = {}) =>
      transport.json<StreamToken>({ method: "POST", path: `${company}/stream-tokens`, signal }),
    /** The job types the server knows, with their input JSON Schemas. */
    listJobTypes: ({ signal }: CallOptions = {}) =>
      transport.json<JobTypeDescription[]>({
        method: "GET",
        path: "/api/job-types",
        signal,
        retryable: true,
      }),
    ...createJobStreams(transport, companyId),
  };
};

export type KilnClient = ReturnType<typeof createKilnClient>;
