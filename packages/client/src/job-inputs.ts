// Type-only imports: the client never loads a renderer (vega, satori, playwright) at run time.
import type { SubmitJobBody } from "@kiln/core";
import type { JobInputSchemas } from "@kiln/renderers/schemas";
import type { z } from "zod";

/**
 * The `input` each job type accepts, as the caller writes it (`z.input`: defaults may be left out).
 * Derived from the renderers' schemas (`@kiln/renderers/schemas`), the single source of truth.
 */
export type JobInputs = { [K in keyof JobInputSchemas]: z.input<JobInputSchemas[K]> };

/** A job type this client knows the input of. */
export type JobType = keyof JobInputs;

/** A submit body whose `input` is checked against the schema of its `jobType`. */
export type TypedSubmitBody<T extends JobType = JobType> = {
  [K in T]: Omit<SubmitJobBody, "jobType" | "input"> & { jobType: K; input: JobInputs[K] };
}[T];
