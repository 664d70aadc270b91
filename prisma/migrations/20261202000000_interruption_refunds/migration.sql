-- Attempts handed back to a job's budget because the worker, not the job, interrupted them.
-- Capped per job, so an attempt that keeps "interrupting" cannot loop forever.
ALTER TABLE "content_jobs" ADD COLUMN "interruption_refunds" INTEGER NOT NULL DEFAULT 0;
