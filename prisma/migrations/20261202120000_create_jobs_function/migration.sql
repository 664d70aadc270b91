-- Creates a batch of one company's submitted jobs in one round trip (the API's group commit, see
-- packages/jobs/src/store/create-batches.ts). With a quota (`p_max_active` not NULL) it takes the
-- company's lock, counts the company's queued and running jobs (a fresh snapshot, after the lock:
-- concurrent batches cannot overshoot) and creates, in order, only as many as the quota leaves room
-- for. Each row with an idempotency key claims the key first (taking over an expired one); a key
-- in use creates no row. Returns the rows created; the caller answers the others.
CREATE FUNCTION kiln_create_jobs(
    p_company UUID,
    p_max_active INTEGER,
    p_ids UUID[],
    p_job_types TEXT[],
    p_inputs JSONB[],
    p_source_task_ids TEXT[],
    p_priorities INTEGER[],
    p_max_attempts INTEGER[],
    p_keys TEXT[],
    p_request_hashes TEXT[],
    p_key_expiries TIMESTAMPTZ(3)[]
) RETURNS SETOF "content_jobs" LANGUAGE plpgsql AS $$
DECLARE
    room BIGINT;
BEGIN
    IF p_max_active IS NOT NULL THEN
        PERFORM pg_advisory_xact_lock(hashtextextended(p_company::text, 7));
        SELECT p_max_active - count(*) INTO room FROM "content_jobs"
         WHERE "company_id" = p_company AND "status" IN ('queued', 'running');
    END IF;
    RETURN QUERY
    WITH input AS (
        SELECT * FROM unnest(p_ids, p_job_types, p_inputs, p_source_task_ids, p_priorities, p_max_attempts,
                             p_keys, p_request_hashes, p_key_expiries)
            WITH ORDINALITY AS t(id, job_type, input, source_task_id, priority, max_attempts, key,
                                 request_hash, expires_at, position)
         WHERE room IS NULL OR t.position <= room
    ),
    claimed AS (
        INSERT INTO "idempotency_keys" ("company_id", "key", "request_hash", "job_id", "expires_at")
        SELECT p_company, input.key, input.request_hash, input.id, input.expires_at
          FROM input WHERE input.key IS NOT NULL
        ON CONFLICT ("company_id", "key") DO UPDATE
            SET "request_hash" = EXCLUDED."request_hash", "job_id" = EXCLUDED."job_id",
                "expires_at" = EXCLUDED."expires_at", "created_at" = CURRENT_TIMESTAMP
          WHERE "idempotency_keys"."expires_at" <= CURRENT_TIMESTAMP
        RETURNING "job_id"
    )
    INSERT INTO "content_jobs" ("id", "company_id", "job_type", "input", "source_task_id", "priority",
                                "max_attempts", "attempt_limit", "status")
    SELECT input.id, p_company, input.job_type, input.input, input.source_task_id, input.priority,
           input.max_attempts, input.max_attempts, 'queued'
      FROM input
     WHERE input.key IS NULL OR input.id IN (SELECT claimed.job_id FROM claimed)
    RETURNING *;
END
$$;
