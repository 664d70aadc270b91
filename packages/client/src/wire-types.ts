// The HTTP contract's bodies, defined once in @kiln/core (the API validates and documents with
// the same schemas).
export type {
  Company,
  CreatedApiKey,
  JobAccepted,
  JobPage,
  JobSummary,
  JobSummaryPage,
  JobTypeDescription,
  ListJobsFilters,
  Problem,
  StreamToken,
} from "@kiln/core";
