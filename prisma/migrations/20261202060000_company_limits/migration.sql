-- Limits an admin set for one company; a NULL column follows the default from the environment.
-- CreateTable
CREATE TABLE "company_limits" (
    "company_id" UUID NOT NULL,
    "submits_per_second_per_key" INTEGER,
    "submit_burst_per_key" INTEGER,
    "submits_per_second_per_company" INTEGER,
    "submit_burst_per_company" INTEGER,
    "reads_per_second_per_key" INTEGER,
    "read_burst_per_key" INTEGER,
    "max_active_jobs" INTEGER,
    "max_running_per_job_type" JSONB,
    "max_open_streams" INTEGER,
    "max_artifact_bytes" BIGINT,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "company_limits_pkey" PRIMARY KEY ("company_id")
);

-- AddForeignKey
ALTER TABLE "company_limits" ADD CONSTRAINT "company_limits_company_id_fkey" FOREIGN KEY ("company_id") REFERENCES "companies"("id") ON DELETE CASCADE ON UPDATE CASCADE;
