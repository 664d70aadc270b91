export type { Job, JobEvent, JobEventType, JobStatus, SubmitJobBody } from "@kiln/core";
export {
  KilnApiError,
  KilnClientError,
  KilnNetworkError,
  KilnProtocolError,
  KilnTimeoutError,
} from "./errors.ts";
export type { JobInputs, JobType, TypedSubmitBody } from "./job-inputs.ts";
export type { WaitForJobOptions } from "./job-streams.ts";
export { createKilnAdmin, type KilnAdmin, type KilnAdminOptions } from "./kiln-admin.ts";
export {
  type ArtifactStream,
  type CallOptions,
  createKilnClient,
  type DownloadedArtifact,
  type KilnClient,
  type KilnClientOptions,
  type ListJobsWithInputFilters,
  type SubmitOptions,
} from "./kiln-client.ts";
export type { FollowOptions, ReconnectOptions } from "./sse/follow-event-stream.ts";
export type { TypedJobEvent } from "./sse/to-job-event.ts";
export type { RetryOptions } from "./transport.ts";
export type * from "./wire-types.ts";
