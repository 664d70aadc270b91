// The parts of Prisma's DMMF datamodel the schema check reads (the engine's `get_dmmf` output).

export interface DmmfDatamodel {
  enums: DmmfEnum[];
  models: DmmfModel[];
  indexes: DmmfIndex[];
}

export interface DmmfEnum {
  name: string;
  dbName?: string | null;
  values: { name: string; dbName?: string | null }[];
}

export interface DmmfModel {
  name: string;
  dbName?: string | null;
  schema?: string | null;
  fields: DmmfField[];
}

/** A default as the DMMF prints it: a literal, a list of literals, or a function call like now(). */
export type DmmfDefault =
  | string
  | number
  | boolean
  | DmmfDefault[]
  | { name: string; args: (string | number)[] };

export interface DmmfField {
  name: string;
  dbName?: string | null;
  kind: "scalar" | "enum" | "object" | "unsupported";
  type: string;
  isList: boolean;
  isRequired: boolean;
  isUpdatedAt: boolean;
  /** [name, args] of an `@db.X(args)` attribute. */
  nativeType?: [string, string[]] | null;
  default?: DmmfDefault;
  relationName?: string;
  relationFromFields?: string[];
  relationToFields?: string[];
  relationOnDelete?: string;
  relationOnUpdate?: string;
}

export interface DmmfIndex {
  model: string;
  type: "id" | "normal" | "unique" | "fulltext";
  /** Set when `map:` names the constraint in the database. */
  dbName?: string | null;
  /** BTree, Hash, Gist, Gin, SpGist, Brin (`type:` of @@index). */
  algorithm?: string;
  fields: { name: string; sortOrder?: "asc" | "desc" }[];
}
