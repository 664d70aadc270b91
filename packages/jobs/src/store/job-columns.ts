import { Prisma } from "@kiln/db";

/** A job row's columns as `ContentJob` names them, for raw statements whose rows go to `toJob`. */
export const jobColumns = Prisma.sql`id, company_id AS "companyId", job_type AS "jobType", status::text AS status,
  progress, stage, input, source_task_id AS "sourceTaskId", priority, attempts, max_attempts AS "maxAttempts",
  attempt_limit AS "attemptLimit", interruption_refunds AS "interruptionRefunds", artifacts, error,
  created_at AS "createdAt", started_at AS "startedAt", finished_at AS "finishedAt", updated_at AS "updatedAt"`;
