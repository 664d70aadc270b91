import type { DmmfField } from "./dmmf.ts";

/**
 * The column type Prisma gives a scalar field on PostgreSQL, spelled as `format_type` prints it.
 * Defaults per scalar and per `@db.*` attribute follow Prisma's PostgreSQL connector.
 */
export function pgTypeOf(field: DmmfField, where: string): string {
  const [native, args = []] = field.nativeType ?? [];
  const withArgs = (base: string, suffix = ""): string =>
    args.length > 0 ? `${base}(${args.join(",")})${suffix}` : `${base}${suffix}`;
  if (!native) {
    const type = scalarDefaults[field.type];
    if (!type) throw new Error(`schema check does not know Prisma scalar ${field.type} (${where})`);
    return type;
  }
  switch (native) {
    case "Text":
      return "text";
    case "VarChar":
      return withArgs("character varying");
    case "Char":
      return withArgs("character");
    case "Uuid":
      return "uuid";
    case "Integer":
      return "integer";
    case "SmallInt":
      return "smallint";
    case "BigInt":
      return "bigint";
    case "DoublePrecision":
      return "double precision";
    case "Real":
      return "real";
    case "Decimal":
      return withArgs("numeric");
    case "Boolean":
      return "boolean";
    case "Timestamp":
      return withArgs("timestamp", " without time zone");
    case "Timestamptz":
      return withArgs("timestamp", " with time zone");
    case "Date":
      return "date";
    case "Time":
      return withArgs("time", " without time zone");
    case "Timetz":
      return withArgs("time", " with time zone");
    case "Json":
      return "json";
    case "JsonB":
      return "jsonb";
    case "ByteA":
      return "bytea";
    default:
      throw new Error(`schema check does not know @db.${native} (${where}); add it to pg-types.ts`);
  }
}

const scalarDefaults: Record<string, string> = {
  String: "text",
  Int: "integer",
  BigInt: "bigint",
  Float: "double precision",
  Decimal: "numeric(65,30)",
  Boolean: "boolean",
  DateTime: "timestamp(3) without time zone",
  Json: "jsonb",
  Bytes: "bytea",
};
