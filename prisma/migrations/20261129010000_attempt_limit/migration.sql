-- AlterTable
ALTER TABLE "content_jobs" ADD COLUMN     "attempt_limit" INTEGER NOT NULL DEFAULT 3;
