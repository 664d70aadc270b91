import { z } from "zod";

// A company's limits: rates, quotas and caps that keep one tenant from crowding out the others.
// Each field has a default from the environment (see `companyLimitsConfigShape`); an admin
// overrides any of them per company (`PATCH /api/companies/:companyId/limits`).

/** Job types and `*` (every job type not named) as keys of `maxRunningPerJobType`. */
const jobTypeKeySchema = z.string().regex(/^(\*|[A-Za-z0-9][\w.-]{0,99})$/, "a job type or *");

/**
 * Jobs of one type running at once across the fleet: one cap for every job type, or caps by job
 * type, where `*` stands for every job type not named.
 */
export const runningCapsSchema = z.union([
  z.int().min(1).max(100_000),
  z.record(jobTypeKeySchema, z.int().min(1).max(100_000)),
]);
export type RunningCaps = z.infer<typeof runningCapsSchema>;

const limitFields = {
  submitsPerSecondPerKey: z
    .int()
    .min(1)
    .max(1_000_000)
    .describe("Submits (and retries) per second per API key, steady rate"),
  submitBurstPerKey: z
    .int()
    .min(0)
    .max(1_000_000)
    .describe("Extra submits per API key beyond the steady rate, per burst window"),
  submitsPerSecondPerCompany: z
    .int()
    .min(1)
    .max(1_000_000)
    .describe("Submits (and retries) per second for the whole company, all keys together"),
  submitBurstPerCompany: z
    .int()
    .min(0)
    .max(1_000_000)
    .describe("Extra submits for the whole company beyond the steady rate, per burst window"),
  readsPerSecondPerKey: z
    .int()
    .min(1)
    .max(1_000_000)
    .describe("Other requests per second per API key (reads, cancels, stream tokens, stream opens)"),
  readBurstPerKey: z
    .int()
    .min(0)
    .max(1_000_000)
    .describe("Extra other requests per API key beyond the steady rate, per burst window"),
  maxActiveJobs: z.int().min(1).max(100_000_000).describe("Queued + running jobs at once"),
  maxRunningPerJobType: runningCapsSchema.describe(
    "Running jobs at once per job type, fleet-wide: a number for every type, or {jobType: n, '*': n}",
  ),
  maxOpenStreams: z
    .int()
    .min(0)
    .max(1_000_000)
    .describe("Open SSE streams at once, across every API instance"),
  maxArtifactBytes: z.int().min(0).describe("Bytes of artifacts kept; a submit beyond it is refused"),
};

/** Every limit of a company, as in force (its overrides over the defaults). */
export const companyLimitsSchema = z.object(limitFields).meta({ id: "CompanyLimits" });
export type CompanyLimits = z.infer<typeof companyLimitsSchema>;
export type CompanyLimitName = keyof CompanyLimits;
export const companyLimitNames = Object.keys(limitFields) as CompanyLimitName[];

/** The limits an admin set for one company; the others follow the defaults. */
export type CompanyLimitOverrides = Partial<CompanyLimits>;

type NullableOptional<T extends Record<string, z.ZodType>> = {
  [K in keyof T]: z.ZodOptional<z.ZodNullable<T[K]>>;
};

/**
 * `PATCH …/limits`: each field sets an override, `null` removes it (back to the default), an absent
 * field is left as it is. Unknown fields are refused, so a typo never passes silently.
 */
export const companyLimitsPatchSchema = z
  .strictObject(
    Object.fromEntries(
      Object.entries(limitFields).map(([name, schema]) => [name, schema.nullable().optional()]),
    ) as NullableOptional<typeof limitFields>,
  )
  .meta({ id: "CompanyLimitsPatch" });
export type CompanyLimitsPatch = z.infer<typeof companyLimitsPatchSchema>;

/** `GET/PATCH …/limits`: the limits in force and which of them are the company's own. */
export const companyLimitsViewSchema = z
  .object({
    companyId: z.string(),
    limits: companyLimitsSchema,
    overrides: companyLimitsSchema
      .partial()
      .describe("The limits set for this company; the rest are defaults"),
  })
  .meta({ id: "CompanyLimitsView" });
export type CompanyLimitsView = z.infer<typeof companyLimitsViewSchema>;

/** A running cap as a map with `*`, so caps by job type merge over a single number. */
const asCapsByType = (caps: RunningCaps): Record<string, number> =>
  typeof caps === "number" ? { "*": caps } : caps;

/**
 * The limits in force: each override replaces its default, except caps by job type, which merge
 * over the default caps (a company capped on `document.pdf` keeps the default for the others).
 */
export const resolveCompanyLimits = (
  defaults: CompanyLimits,
  overrides: CompanyLimitOverrides | null,
): CompanyLimits => {
  if (!overrides) return defaults;
  const resolved = { ...defaults, ...overrides };
  const caps = overrides.maxRunningPerJobType;
  if (caps !== undefined && typeof caps !== "number") {
    resolved.maxRunningPerJobType = { ...asCapsByType(defaults.maxRunningPerJobType), ...caps };
  }
  return resolved;
};

/** How many jobs of `jobType` the company may have running at once, fleet-wide. */
export const runningCapFor = (
  limits: Pick<CompanyLimits, "maxRunningPerJobType">,
  jobType: string,
): number => {
  const caps = asCapsByType(limits.maxRunningPerJobType);
  return caps[jobType] ?? caps["*"] ?? Number.POSITIVE_INFINITY;
};

/** One rate-limit policy's state, as `RateLimit` reports it. */
export const rateLimitStateSchema = z.object({
  policy: z.string().describe("The policy's name in the RateLimit-Policy and RateLimit headers"),
  quota: z.int().describe("Requests allowed per window"),
  windowSeconds: z.int(),
  remaining: z.int().describe("Requests left in the current window"),
  resetSeconds: z.int().describe("Seconds until the current window ends"),
});
export type RateLimitState = z.infer<typeof rateLimitStateSchema>;

/** `GET …/usage`: the limits in force and how much of each the company uses now. */
export const companyUsageSchema = z
  .object({
    companyId: z.string(),
    limits: companyLimitsSchema,
    usage: z.object({
      activeJobs: z.int().describe("Queued + running jobs"),
      queuedJobs: z.int(),
      runningJobs: z.int(),
      runningByJobType: z.record(z.string(), z.int()),
      openStreams: z.int().describe("Open SSE streams across every API instance"),
      artifactBytes: z.int().describe("Bytes of artifacts kept (may lag by a few seconds)"),
    }),
    rateLimits: z
      .array(rateLimitStateSchema)
      .describe("The company's rate limits, and the caller's key's when a key asks"),
  })
  .meta({ id: "CompanyUsage" });
export type CompanyUsage = z.infer<typeof companyUsageSchema>;
