import pg from "pg";

// Copies of a template this process is done with, emptied and handed out again instead of new
// copies. A copy makes PostgreSQL write and fsync the whole database, and a drop forces a
// checkpoint: about a second each on a loaded two-core machine, for every test file. Emptying a
// copy is one TRUNCATE. (Test files share a process when vitest runs them with isolate: false.)

/** Released copies, by template (`<server URL> <template name>`). */
const idle = new Map<string, string[]>();
/** By template: the tables its copies start with rows in, which emptying keeps (e.g. migrations). */
const seeded = new Map<string, Promise<Set<string>>>();

const withClient = async <T>(url: string, work: (client: pg.Client) => Promise<T>): Promise<T> => {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 10_000 });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
};

const tablesOf = async (client: pg.Client): Promise<string[]> => {
  const { rows } = await client.query<{ name: string }>(
    `SELECT format('%I.%I', schemaname, tablename) AS name FROM pg_tables
     WHERE schemaname NOT IN ('pg_catalog', 'information_schema')`,
  );
  return rows.map((row) => row.name);
};

/** A released copy of `template`, if this process has one. */
export const takeReleasedCopy = (template: string): string | undefined => idle.get(template)?.pop();

/** Notes, once per template, which tables a fresh copy (at `url`) holds rows in. */
export const noteSeededTables = (template: string, url: string): Promise<Set<string>> => {
  let tables = seeded.get(template);
  if (!tables) {
    tables = withClient(url, async (client) => {
      const withRows = new Set<string>();
      for (const table of await tablesOf(client)) {
        const { rows } = await client.query(`SELECT EXISTS (SELECT 1 FROM ${table}) AS seeded`);
        if (rows[0]?.seeded) withRows.add(table);
      }
      return withRows;
    });
    seeded.set(template, tables);
    tables.catch(() => seeded.delete(template));
  }
  return tables;
};

/**
 * Empties the copy at `url` (its other connections closed, every table the template left empty
 * truncated) and keeps it for the next `takeReleasedCopy(template)`. Tables a test created stay
 * (emptied): a test that changes the schema drops its database instead.
 */
export const releaseCopy = async (template: string, name: string, url: string): Promise<void> => {
  const keep = await seeded.get(template);
  if (!keep) throw new Error(`${name} is no copy this process made of ${template}`);
  await withClient(url, async (client) => {
    await client.query(
      `SELECT pg_terminate_backend(pid) FROM pg_stat_activity
       WHERE datname = current_database() AND pid <> pg_backend_pid()`,
    );
    const tables = (await tablesOf(client)).filter((table) => !keep.has(table));
    if (tables.length > 0) await client.query(`TRUNCATE ${tables.join(", ")} CASCADE`);
  });
  idle.set(template, [...(idle.get(template) ?? []), name]);
};
