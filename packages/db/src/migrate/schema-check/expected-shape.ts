import type { ColumnShape, DatabaseShape, ForeignKeyShape, TableShape } from "./database-shape.ts";
import type { DmmfDatamodel, DmmfDefault, DmmfField, DmmfIndex, DmmfModel } from "./dmmf.ts";
import { pgTypeOf } from "./pg-types.ts";

/** PostgreSQL's NAMEDATALEN - 1; Prisma truncates generated constraint names to it. */
const maxIdentifierLength = 63;

/**
 * The database `prisma migrate` would build for this datamodel, as a `DatabaseShape`. Anything
 * the check does not model (implicit many-to-many, multi-schema, index options, unusual
 * defaults) throws rather than being silently skipped.
 */
export function expectedDatabaseShape(datamodel: DmmfDatamodel): DatabaseShape {
  const enumDbNames = new Map(datamodel.enums.map((e) => [e.name, e.dbName ?? e.name]));
  const enumValueDbNames = new Map(
    datamodel.enums.map((e) => [e.name, new Map(e.values.map((v) => [v.name, v.dbName ?? v.name]))]),
  );
  const models = new Map(datamodel.models.map((model) => [model.name, model]));
  const shape: DatabaseShape = { enums: {}, tables: {}, views: [] };

  for (const e of datamodel.enums) shape.enums[e.dbName ?? e.name] = e.values.map((v) => v.dbName ?? v.name);

  for (const model of datamodel.models) {
    if (model.schema) throw unsupported(`model ${model.name} sets @@schema (multi-schema)`);
    const table: TableShape = { columns: {}, primaryKey: null, indexes: {}, foreignKeys: {} };
    for (const field of scalarFields(model)) {
      const type =
        field.kind === "enum"
          ? quoteIdentifier(enumDbNames.get(field.type) ?? field.type)
          : pgTypeOf(field, `${model.name}.${field.name}`);
      table.columns[columnName(field)] = column(model, field, type, enumValueDbNames.get(field.type));
    }
    shape.tables[tableName(model)] = table;
  }

  for (const index of datamodel.indexes) addIndex(shape, models, index);
  for (const model of datamodel.models) {
    for (const field of model.fields.filter(isOwningRelationField)) {
      const { name, foreignKey } = foreignKeyOf(model, field, models);
      const table = shape.tables[tableName(model)];
      if (table) table.foreignKeys[name] = foreignKey;
    }
  }
  rejectImplicitManyToMany(datamodel);
  return shape;
}

function column(
  model: DmmfModel,
  field: DmmfField,
  type: string,
  enumValues: Map<string, string> | undefined,
): ColumnShape {
  const where = `${model.name}.${field.name}`;
  if (field.isList) throw unsupported(`${where} is a list`);
  const isSerial = isCall(field.default, "autoincrement");
  return {
    type,
    nullable: !field.isRequired,
    default: isSerial
      ? `nextval('${tableName(model)}_${columnName(field)}_seq'::regclass)`
      : defaultExpression(field.default, type, enumValues, where),
  };
}

/** The default as `pg_get_expr` prints it, or null when Prisma fills it in client-side (uuid(), cuid()…). */
function defaultExpression(
  value: DmmfDefault | undefined,
  type: string,
  enumValues: Map<string, string> | undefined,
  where: string,
): string | null {
  if (value === undefined) return null;
  // Literals are cast to the bare type name: 'a'::character varying, not ::character varying(20).
  const typeName = type.replace(/\(\d+(,\d+)?\)/, "");
  if (typeof value === "object" && !Array.isArray(value)) {
    if (value.name === "now") return "CURRENT_TIMESTAMP";
    if (value.name === "dbgenerated" && typeof value.args[0] === "string") return value.args[0];
    if (["uuid", "cuid", "nanoid", "ulid"].includes(value.name)) return null;
    throw unsupported(`${where} has default ${value.name}()`);
  }
  if (typeof value === "boolean") return String(value);
  if (typeof value === "number") return value >= 0 ? String(value) : `'${value}'::${typeName}`;
  if (typeof value === "string") {
    const literal = enumValues ? (enumValues.get(value) ?? value) : value;
    return `${quoteLiteral(literal)}::${typeName}`;
  }
  throw unsupported(`${where} has a list default`);
}

function addIndex(shape: DatabaseShape, models: Map<string, DmmfModel>, index: DmmfIndex): void {
  const model = models.get(index.model);
  if (!model) throw new Error(`index on unknown model ${index.model}`);
  const known = new Set(["model", "type", "isDefinedOnField", "fields", "dbName", "name", "algorithm"]);
  const extra = Object.keys(index).filter((key) => !known.has(key));
  const extraOnFields = index.fields.flatMap((f) =>
    Object.keys(f).filter((k) => k !== "name" && k !== "sortOrder"),
  );
  if (extra.length > 0 || extraOnFields.length > 0) {
    throw unsupported(`an index of ${model.name} uses ${[...extra, ...extraOnFields].join(", ")}`);
  }
  const table = shape.tables[tableName(model)];
  if (!table) throw new Error(`index on unknown table of ${model.name}`);
  const columns = index.fields.map((f) => columnName(fieldOf(model, f.name)));
  const rendered = index.fields.map((f, i) => `${columns[i]}${f.sortOrder === "desc" ? " DESC" : ""}`);
  if (index.type === "id") {
    table.primaryKey = { name: index.dbName ?? constraintName(tableName(model), [], "_pkey"), columns };
  } else if (index.type === "normal" || index.type === "unique") {
    const unique = index.type === "unique";
    const name = index.dbName ?? constraintName(tableName(model), columns, unique ? "_key" : "_idx");
    const method = (index.algorithm ?? "BTree").toLowerCase();
    table.indexes[name] = { unique, method, columns: rendered, predicate: null };
  } else {
    throw unsupported(`${index.type} index on ${model.name}`);
  }
}

function foreignKeyOf(
  model: DmmfModel,
  field: DmmfField,
  models: Map<string, DmmfModel>,
): { name: string; foreignKey: ForeignKeyShape } {
  const referenced = models.get(field.type);
  if (!referenced) throw new Error(`${model.name}.${field.name} references unknown model ${field.type}`);
  const from = (field.relationFromFields ?? []).map((name) => fieldOf(model, name));
  const columns = from.map(columnName);
  const referencedColumns = (field.relationToFields ?? []).map((name) =>
    columnName(fieldOf(referenced, name)),
  );
  // Prisma's defaults (relationMode "foreignKeys"): Restrict for a required relation, SetNull for an optional one.
  const required = from.every((f) => f.isRequired);
  return {
    // `@relation(map: …)` is not in the DMMF; a custom name shows up here as a mismatch.
    name: constraintName(tableName(model), columns, "_fkey"),
    foreignKey: {
      columns,
      referencedTable: tableName(referenced),
      referencedColumns,
      onDelete: field.relationOnDelete ?? (required ? "Restrict" : "SetNull"),
      onUpdate: field.relationOnUpdate ?? "Cascade",
    },
  };
}

function rejectImplicitManyToMany(datamodel: DmmfDatamodel): void {
  const relations = new Map<string, DmmfField[]>();
  for (const model of datamodel.models) {
    for (const field of model.fields.filter((f) => f.kind === "object" && f.relationName)) {
      const name = field.relationName ?? "";
      relations.set(name, [...(relations.get(name) ?? []), field]);
    }
  }
  for (const [name, fields] of relations) {
    if (!fields.some(isOwningRelationField))
      throw unsupported(`relation ${name} is an implicit many-to-many`);
  }
}

/** Prisma's default constraint names: `<table>_<columns>` cut to fit, then the suffix. */
function constraintName(table: string, columns: string[], suffix: string): string {
  return [table, ...columns].join("_").slice(0, maxIdentifierLength - suffix.length) + suffix;
}

function scalarFields(model: DmmfModel): DmmfField[] {
  return model.fields.filter((field) => {
    if (field.kind === "unsupported") throw unsupported(`${model.name}.${field.name} is Unsupported()`);
    return field.kind === "scalar" || field.kind === "enum";
  });
}

function isOwningRelationField(field: DmmfField): boolean {
  return field.kind === "object" && (field.relationFromFields?.length ?? 0) > 0;
}

function fieldOf(model: DmmfModel, name: string): DmmfField {
  const field = model.fields.find((f) => f.name === name);
  if (!field) throw new Error(`${model.name} has no field ${name}`);
  return field;
}

function isCall(value: DmmfDefault | undefined, name: string): boolean {
  return typeof value === "object" && !Array.isArray(value) && value.name === name;
}

const tableName = (model: DmmfModel): string => model.dbName ?? model.name;
const columnName = (field: DmmfField): string => field.dbName ?? field.name;

/** Quotes an identifier the way format_type does: only when it is not a plain lower-case name. */
function quoteIdentifier(name: string): string {
  return /^[a-z_][a-z0-9_$]*$/.test(name) ? name : `"${name.replaceAll('"', '""')}"`;
}

function quoteLiteral(value: string): string {
  return `'${value.replaceAll("'", "''")}'`;
}

function unsupported(what: string): Error {
  return new Error(
    `schema check cannot verify this yet: ${what}; extend packages/db/src/migrate/schema-check`,
  );
}
