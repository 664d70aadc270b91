import type pg from "pg";

/**
 * What of a PostgreSQL schema Prisma cares about, in a form both `schema.prisma` and a live
 * database can be turned into, so one `toEqual` compares them (and prints a readable diff).
 * Column and index definitions are rendered the way `format_type`/`pg_get_expr` print them.
 */
export interface DatabaseShape {
  /** Enum type → its values, in order. */
  enums: Record<string, string[]>;
  tables: Record<string, TableShape>;
  views: string[];
}

export interface TableShape {
  columns: Record<string, ColumnShape>;
  primaryKey: { name: string; columns: string[] } | null;
  /** Index name → definition; columns read `name` or `name DESC`. The primary key is not listed here. */
  indexes: Record<string, { unique: boolean; method: string; columns: string[]; predicate: string | null }>;
  foreignKeys: Record<string, ForeignKeyShape>;
}

export interface ColumnShape {
  type: string;
  nullable: boolean;
  default: string | null;
}

export interface ForeignKeyShape {
  columns: string[];
  referencedTable: string;
  referencedColumns: string[];
  /** Prisma's referential action names: Cascade, Restrict, NoAction, SetNull, SetDefault. */
  onDelete: string;
  onUpdate: string;
}

/** Tables Prisma itself owns, which no model describes. */
const bookkeepingTables = new Set(["_prisma_migrations"]);

const referentialActions: Record<string, string> = {
  a: "NoAction",
  r: "Restrict",
  c: "Cascade",
  n: "SetNull",
  d: "SetDefault",
};

/** Reads the shape of the `public` schema of the database `client` is connected to. */
export async function describeDatabase(client: pg.Client): Promise<DatabaseShape> {
  const shape: DatabaseShape = { enums: {}, tables: {}, views: [] };

  const enums = await client.query<{ name: string; values: string[] }>(
    `SELECT t.typname AS name, array_agg(e.enumlabel ORDER BY e.enumsortorder)::text[] AS values
       FROM pg_type t JOIN pg_enum e ON e.enumtypid = t.oid
      WHERE t.typnamespace = 'public'::regnamespace
      GROUP BY t.typname`,
  );
  for (const row of enums.rows) shape.enums[row.name] = row.values;

  const relations = await client.query<{ name: string; kind: string }>(
    `SELECT relname AS name, relkind::text AS kind FROM pg_class
      WHERE relnamespace = 'public'::regnamespace AND relkind IN ('r', 'p', 'v', 'm')`,
  );
  for (const { name, kind } of relations.rows) {
    if (kind === "v" || kind === "m") shape.views.push(name);
    else if (!bookkeepingTables.has(name)) {
      shape.tables[name] = { columns: {}, primaryKey: null, indexes: {}, foreignKeys: {} };
    }
  }
  shape.views.sort();
  const tableOf = (name: string): TableShape | undefined => shape.tables[name];

  const columns = await client.query<{
    table: string;
    column: string;
    type: string;
    notNull: boolean;
    default: string | null;
  }>(
    `SELECT c.relname AS table, a.attname AS column, format_type(a.atttypid, a.atttypmod) AS type,
            a.attnotnull AS "notNull", pg_get_expr(d.adbin, d.adrelid) AS default
       FROM pg_attribute a
       JOIN pg_class c ON c.oid = a.attrelid
       LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
      WHERE c.relnamespace = 'public'::regnamespace AND c.relkind IN ('r', 'p')
        AND a.attnum > 0 AND NOT a.attisdropped`,
  );
  for (const row of columns.rows) {
    const table = tableOf(row.table);
    if (table) table.columns[row.column] = { type: row.type, nullable: !row.notNull, default: row.default };
  }

  const indexes = await client.query<{
    table: string;
    name: string;
    primary: boolean;
    unique: boolean;
    method: string;
    predicate: string | null;
    columns: string[];
  }>(
    `SELECT t.relname AS table, i.relname AS name, x.indisprimary AS primary, x.indisunique AS unique,
            am.amname AS method, pg_get_expr(x.indpred, x.indrelid) AS predicate,
            array(
              -- A plain column by name; an expression (attnum 0) as PostgreSQL prints it.
              SELECT coalesce(a.attname::text, pg_get_indexdef(x.indexrelid, k.n::int, true))
                     || CASE WHEN k.option & 1 = 1 THEN ' DESC' ELSE '' END
                     || CASE WHEN (k.option & 2 = 2) <> (k.option & 1 = 1)
                             THEN CASE WHEN k.option & 2 = 2 THEN ' NULLS FIRST' ELSE ' NULLS LAST' END
                             ELSE '' END
                FROM unnest(x.indkey::int2[], x.indoption::int2[]) WITH ORDINALITY AS k(attnum, option, n)
                LEFT JOIN pg_attribute a ON a.attrelid = x.indrelid AND a.attnum = k.attnum AND k.attnum <> 0
               WHERE k.n <= x.indnkeyatts
               ORDER BY k.n
            )::text[] AS columns
       FROM pg_index x
       JOIN pg_class i ON i.oid = x.indexrelid
       JOIN pg_class t ON t.oid = x.indrelid
       JOIN pg_am am ON am.oid = i.relam
      WHERE t.relnamespace = 'public'::regnamespace`,
  );
  for (const row of indexes.rows) {
    const table = tableOf(row.table);
    if (!table) continue;
    if (row.primary) table.primaryKey = { name: row.name, columns: row.columns };
    else {
      table.indexes[row.name] = {
        unique: row.unique,
        method: row.method,
        columns: row.columns,
        predicate: row.predicate,
      };
    }
  }

  const foreignKeys = await client.query<{
    table: string;
    name: string;
    referencedTable: string;
    columns: string[];
    referencedColumns: string[];
    onDelete: string;
    onUpdate: string;
  }>(
    `SELECT t.relname AS table, con.conname AS name, r.relname AS "referencedTable",
            array(SELECT a.attname FROM unnest(con.conkey) WITH ORDINALITY AS k(attnum, n)
                    JOIN pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = k.attnum
                   ORDER BY k.n)::text[] AS columns,
            array(SELECT a.attname FROM unnest(con.confkey) WITH ORDINALITY AS k(attnum, n)
                    JOIN pg_attribute a ON a.attrelid = con.confrelid AND a.attnum = k.attnum
                   ORDER BY k.n)::text[] AS "referencedColumns",
            con.confdeltype::text AS "onDelete", con.confupdtype::text AS "onUpdate"
       FROM pg_constraint con
       JOIN pg_class t ON t.oid = con.conrelid
       JOIN pg_class r ON r.oid = con.confrelid
      WHERE con.contype = 'f' AND t.relnamespace = 'public'::regnamespace`,
  );
  for (const row of foreignKeys.rows) {
    const table = tableOf(row.table);
    if (!table) continue;
    table.foreignKeys[row.name] = {
      columns: row.columns,
      referencedTable: row.referencedTable,
      referencedColumns: row.referencedColumns,
      onDelete: referentialActions[row.onDelete] ?? row.onDelete,
      onUpdate: referentialActions[row.onUpdate] ?? row.onUpdate,
    };
  }
  return shape;
}
