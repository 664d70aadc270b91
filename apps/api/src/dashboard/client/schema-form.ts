import { h } from "./dom.ts";

/** The part of JSON Schema that zod's `toJSONSchema` produces for renderer inputs and that fields use. */
export interface JsonSchema {
  type?: string | string[];
  enum?: unknown[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  description?: string;
  default?: unknown;
  minimum?: number;
  maximum?: number;
  maxLength?: number;
  examples?: unknown[];
}

export interface SchemaField {
  name: string;
  element: HTMLElement;
  /** The field's value for the submit body; `undefined` leaves it out. Throws on unreadable JSON. */
  read(): unknown;
}

const idOf = (name: string) => `field-${name.replace(/[^a-zA-Z0-9_-]/g, "-")}`;

const labelled = (name: string, schema: JsonSchema, required: boolean, control: HTMLElement) =>
  h(
    "div",
    { class: "field" },
    h("label", { for: idOf(name) }, name, required ? h("span", { "aria-hidden": "true" }, " *") : ""),
    control,
    schema.description ? h("p", { class: "hint", id: `${idOf(name)}-hint` }, schema.description) : "",
  );

const isLong = (name: string, schema: JsonSchema) =>
  (schema.maxLength ?? 0) > 300 || /markdown|html|template|body/i.test(name);

/**
 * One form field per top-level property of a job type's input schema: a select for an enum, a
 * checkbox for a boolean, a number input, a text input or area for a string, and JSON text for
 * anything nested (a Vega-Lite spec, say). Values start from the type's example, else its default.
 */
export const schemaField = (
  name: string,
  schema: JsonSchema,
  required: boolean,
  initial: unknown,
): SchemaField => {
  const common = {
    id: idOf(name),
    name,
    required,
    "aria-describedby": schema.description ? `${idOf(name)}-hint` : undefined,
  };
  const value = initial ?? schema.default;
  const type = Array.isArray(schema.type) ? schema.type.find((t) => t !== "null") : schema.type;

  if (schema.enum?.every((option) => typeof option === "string")) {
    const select = h(
      "select",
      common,
      required ? "" : h("option", { value: "" }, "(default)"),
      ...(schema.enum as string[]).map((option) =>
        h("option", { value: option, selected: option === value }, option),
      ),
    );
    return { name, element: labelled(name, schema, required, select), read: () => select.value || undefined };
  }
  if (type === "boolean") {
    const box = h("input", { ...common, type: "checkbox", required: false, checked: value === true });
    return { name, element: labelled(name, schema, required, box), read: () => box.checked };
  }
  if (type === "number" || type === "integer") {
    const input = h("input", {
      ...common,
      type: "number",
      min: schema.minimum,
      max: schema.maximum,
      step: type === "integer" ? 1 : "any",
      value: typeof value === "number" ? value : "",
    });
    return {
      name,
      element: labelled(name, schema, required, input),
      read: () => (input.value === "" ? undefined : Number(input.value)),
    };
  }
  if (type === "string") {
    const control = isLong(name, schema)
      ? h("textarea", { ...common, rows: 8 }, typeof value === "string" ? value : "")
      : h("input", { ...common, value: typeof value === "string" ? value : "" });
    return {
      name,
      element: labelled(name, schema, required, control),
      read: () => control.value || undefined,
    };
  }
  const area = h(
    "textarea",
    { ...common, rows: 10, class: "mono" },
    value === undefined ? "" : JSON.stringify(value, null, 2),
  );
  return {
    name,
    element: labelled(name, { ...schema, description: schema.description ?? "JSON" }, required, area),
    read: () => {
      if (area.value.trim() === "") return undefined;
      try {
        return JSON.parse(area.value);
      } catch {
        throw new Error(`${name} is not valid JSON`);
      }
    },
  };
};

/** Every field of an input schema, and a reader that assembles the `input` object. */
export const schemaFields = (schema: JsonSchema) => {
  const example = (schema.examples?.[0] ?? {}) as Record<string, unknown>;
  const required = new Set(schema.required ?? []);
  const fields = Object.entries(schema.properties ?? {}).map(([name, property]) =>
    schemaField(name, property, required.has(name), example[name]),
  );
  return {
    fields,
    read: () =>
      Object.fromEntries(
        fields.flatMap((field) => {
          const value = field.read();
          return value === undefined ? [] : [[field.name, value]];
        }),
      ),
  };
};
