import { type Job, KilnError } from "@kiln/core";
import { type ContentJob, isDatabaseUnavailable, type PrismaClient, toJob } from "@kiln/db";
import { jobColumns } from "./job-columns.ts";
import type { NewJobRow } from "./job-rows.ts";

/** A row to create, with what its submit asked for. */
export interface RowToCreate {
  id: string;
  row: NewJobRow;
  /** Refuse past this many queued or running jobs of the company (see `CreateOptions`). */
  maxActiveJobs?: number;
}

interface Pending extends RowToCreate {
  resolve(created: { job: Job; created: boolean }): void;
  reject(error: unknown): void;
  /** Rounds already tried: an idempotency key that vanished in between is tried again, twice. */
  round: number;
}

/** Rows a statement writes at most. */
const maxBatch = 128;

const quotaError = (max: number) =>
  new KilnError(
    "quota_exceeded",
    `The company is at its limit of ${max} queued or running jobs; submit when some have finished`,
  );

/**
 * Creates job rows in batches, per company (a group commit): while one company's batch is being
 * written, that company's next submits wait and are written together in the next one, in a single
 * statement — the quota's lock and count, the job rows and their idempotency keys. A burst of one
 * company's submits therefore holds one pooled connection and pays one round trip and one commit
 * per batch, and no batch can overshoot the quota. Every submit resolves only once its row is
 * committed.
 */
export const createRowBatcher = ({ prisma }: { prisma: PrismaClient }) => {
  const waiting = new Map<string, Pending[]>();

  /**
   * One statement, one round trip (`kiln_create_jobs`, a migration): under a quota, the company's
   * lock and the count of its active jobs; then each row's idempotency key and the rows whose key
   * was free, as many as the quota leaves room for, in order. Returns the rows created.
   */
  const writeBatch = (companyId: string, batch: RowToCreate[], maxActive: number | null) => {
    const column = <T>(of: (row: NewJobRow) => T) => batch.map(({ row }) => of(row));
    const expiry = (ttlMs: number) => new Date(Date.now() + ttlMs).toISOString();
    return prisma.$queryRaw<ContentJob[]>`
      SELECT ${jobColumns} FROM kiln_create_jobs(
        ${companyId}::uuid, ${maxActive}::int, ${batch.map(({ id }) => id)}::uuid[],
        ${column((row) => row.jobType)}::text[], ${column((row) => JSON.stringify(row.input))}::text[]::jsonb[],
        ${column((row) => row.sourceTaskId ?? null)}::text[], ${column((row) => row.priority)}::int[],
        ${column((row) => row.maxAttempts)}::int[], ${column((row) => row.idempotency?.key ?? null)}::text[],
        ${column((row) => row.idempotency?.requestHash ?? null)}::text[],
        ${column((row) => (row.idempotency ? expiry(row.idempotency.ttlMs) : null))}::timestamptz[])`;
  };

  /** An idempotent submit whose key is taken: the same body gets its job back, another body a 409. */
  const replay = async (entry: Pending, refusal?: KilnError) => {
    const { key, requestHash } = entry.row.idempotency!;
    const existing = await prisma.idempotencyKey.findUnique({
      where: { companyId_key: { companyId: entry.row.companyId, key } },
      include: { job: true },
    });
    if (!existing || existing.expiresAt.getTime() <= Date.now()) {
      // Refused by the quota and no live job under the key: the refusal stands.
      if (refusal) throw refusal;
      // The key expired, or went away in between: try again, then give up.
      if (entry.round >= 2)
        throw new KilnError("conflict", "this Idempotency-Key is being used concurrently; retry the request");
      enqueue({ ...entry, round: entry.round + 1 });
      return;
    }
    if (existing.requestHash !== requestHash) {
      throw new KilnError("conflict", "this Idempotency-Key was used with a different request body");
    }
    entry.resolve({ job: toJob(existing.job), created: false });
  };

  const settle = (entry: Pending, work: () => Promise<void>) => work().catch(entry.reject);

  const runBatch = async (companyId: string, batch: Pending[]) => {
    const limits = batch.map((entry) => entry.maxActiveJobs).filter((max) => max !== undefined);
    // Submits in one batch come at the same moment: the strictest limit among them applies.
    const maxActive = limits.length > 0 ? Math.min(...limits) : null;
    let rows: ContentJob[];
    try {
      rows = await writeBatch(companyId, batch, maxActive);
    } catch (error) {
      // One bad row (a value PostgreSQL refuses) must not fail its neighbours: alone, each gets its own answer.
      if (batch.length === 1 || isDatabaseUnavailable(error)) {
        for (const entry of batch) entry.reject(error);
      } else {
        for (const entry of batch) await runBatch(companyId, [entry]);
      }
      return;
    }
    const created = new Map(rows.map((row) => [row.id, row]));
    await Promise.all(
      batch.map((entry) => {
        const row = created.get(entry.id);
        if (row) return entry.resolve({ job: toJob(row), created: true });
        // Not created: past the quota, or (idempotent) its key is in use.
        const refusal = maxActive === null ? undefined : quotaError(maxActive);
        if (!entry.row.idempotency) return entry.reject(refusal ?? new Error("job row not written"));
        return settle(entry, () => replay(entry, refusal));
      }),
    );
  };

  /** Takes the next batch: in order, at most one submit per idempotency key (a repeat waits for the next). */
  const takeBatch = (queue: Pending[]): Pending[] => {
    const batch: Pending[] = [];
    const keys = new Set<string>();
    for (let i = 0; i < queue.length && batch.length < maxBatch; ) {
      const key = queue[i]!.row.idempotency?.key;
      if (key !== undefined && keys.has(key)) {
        i += 1;
        continue;
      }
      if (key !== undefined) keys.add(key);
      batch.push(...queue.splice(i, 1));
    }
    return batch;
  };

  const drain = async (companyId: string, queue: Pending[]) => {
    while (queue.length > 0) await runBatch(companyId, takeBatch(queue));
    waiting.delete(companyId);
  };

  const enqueue = (entry: Pending) => {
    const companyId = entry.row.companyId;
    const queue = waiting.get(companyId);
    if (queue) {
      queue.push(entry);
      return;
    }
    const fresh = [entry];
    waiting.set(companyId, fresh);
    void drain(companyId, fresh);
  };

  return {
    /** Resolves once the row is committed (or the existing job of its idempotency key is found). */
    create: (entry: RowToCreate) =>
      new Promise<{ job: Job; created: boolean }>((resolve, reject) => {
        enqueue({ ...entry, resolve, reject, round: 0 });
      }),
  };
};
