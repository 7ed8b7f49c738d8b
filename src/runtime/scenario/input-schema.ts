// A schema of JSON input fields, one entry per field (its type, range and documentation), from
// which a JSON value is read and checked, the errors name the field by its path, and the
// documentation's table is written. The guest-access form of a scenario (guest-setup.ts) states
// the trap builder's input with it, so that a new input field is one line of that table.
import { describe, parseHex64, ScenarioError } from "./scenario.ts";
import type { JsonPath } from "./json-positions.ts";

/** How one field's JSON value is read. */
export type FieldType =
  /** A hex string "0x..." (64 bits at most) read as a bigint. */
  | { readonly kind: "hex" }
  /** A JSON integer in [min, max]. */
  | { readonly kind: "integer"; readonly min: number; readonly max: number }
  | { readonly kind: "boolean" }
  /** One of these JSON values (strings or numbers). */
  | { readonly kind: "enum"; readonly values: readonly (string | number)[] }
  /** A non-empty string, read as it is (its own parser checks it, e.g. an instruction's text). */
  | { readonly kind: "text"; readonly example: string }
  /** A JSON object of these fields. */
  | { readonly kind: "object"; readonly fields: Schema }
  /** A JSON array of objects of these fields. */
  | { readonly kind: "list"; readonly of: Schema };

export interface FieldSpec {
  readonly type: FieldType;
  /** What the field means, one sentence (the documentation's table cell). */
  readonly doc: string;
  /** Must be given (otherwise the default, said in `doc` or by `fallback`, holds). */
  readonly required?: true;
  /** The default as the table shows it, when it is not "absent". */
  readonly fallback?: string;
}

/** Fields by their JSON key, in the order the documentation lists them. */
export type Schema = Readonly<Record<string, FieldSpec>>;

/** The schema of the fields of T, every field of T present (a field added to T and not here is a type error). */
export type SchemaOf<T> = { readonly [K in keyof T]-?: FieldSpec };

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** A path as errors name it: "guest.stage1[0].va". */
export function pathName(path: JsonPath): string {
  return path.map((p, i) => (typeof p === "number" ? `[${p}]` : i === 0 ? p : `.${p}`)).join("");
}

function fail(message: string, path: JsonPath, of: "value" | "key" = "value"): never {
  throw new ScenarioError(message, { path, of });
}

function readField(type: FieldType, value: unknown, path: JsonPath): unknown {
  const where = `"${pathName(path)}"`;
  switch (type.kind) {
    case "hex":
      try {
        return parseHex64(value, where);
      } catch (e) {
        if (e instanceof ScenarioError) fail(e.message, path);
        throw e;
      }
    case "integer":
      if (typeof value !== "number" || !Number.isInteger(value) || value < type.min || value > type.max) {
        return fail(`${where} must be an integer ${type.min}-${type.max}, got ${describe(value)}`, path);
      }
      return value;
    case "boolean":
      if (typeof value !== "boolean") return fail(`${where} must be true or false, got ${describe(value)}`, path);
      return value;
    case "enum":
      if (!type.values.includes(value as string | number)) return fail(`${where} must be ${alternatives(type.values)}, got ${describe(value)}`, path);
      return value;
    case "text":
      if (typeof value !== "string" || value.trim() === "") return fail(`${where} must be a non-empty string like ${JSON.stringify(type.example)}, got ${describe(value)}`, path);
      return value;
    case "object":
      return readObject(type.fields, value, path);
    case "list":
      if (!Array.isArray(value)) return fail(`${where} must be an array of objects, got ${describe(value)}`, path);
      return value.map((v, i) => readObject(type.of, v, [...path, i]));
  }
}

/** "a", "b" or "c": a set of JSON values as an error lists them. */
function alternatives(values: readonly (string | number)[]): string {
  const shown = values.map((v) => JSON.stringify(v));
  return shown.length === 1 ? shown[0] : `${shown.slice(0, -1).join(", ")} or ${shown[shown.length - 1]}`;
}

/**
 * Reads the JSON object `value` at `path` by `schema`: every key known, every required one given,
 * each value of its type. The result holds the given fields only (absent ones keep their defaults).
 */
export function readObject(schema: Schema, value: unknown, path: JsonPath): Record<string, unknown> {
  const where = `"${pathName(path)}"`;
  if (!isRecord(value)) return fail(`${where} must be an object of ${Object.keys(schema).join(", ")}, got ${describe(value)}`, path);
  for (const key of Object.keys(value)) {
    if (!Object.hasOwn(schema, key)) fail(`unknown key ${describe(key)} in ${where} (expected ${Object.keys(schema).join(", ")})`, [...path, key], "key");
  }
  const out: Record<string, unknown> = {};
  for (const [key, spec] of Object.entries(schema)) {
    if (value[key] === undefined) {
      if (spec.required) fail(`missing key "${key}" in ${where}`, path);
      continue;
    }
    out[key] = readField(spec.type, value[key], [...path, key]);
  }
  return out;
}

/** A field's type and range as the documentation's table shows them. */
function typeText(type: FieldType): string {
  switch (type.kind) {
    case "hex":
      return '`"0x..."`';
    case "integer":
      return `integer ${type.min}-${type.max}`;
    case "boolean":
      return "`true`, `false`";
    case "enum":
      return type.values.map((v) => `\`${JSON.stringify(v)}\``).join(", ");
    case "text":
      return `string, e.g. \`${JSON.stringify(type.example)}\``;
    case "object":
      return "object (below)";
    case "list":
      return "array of objects (below)";
  }
}

/**
 * The documentation's table of `schema` under the key `root`: one row per field, nested fields as
 * `root.list[].field`, in the schema's order.
 */
export function schemaTable(schema: Schema, root: string): string {
  const rows: string[] = ["| key | type | default | meaning |", "|-----|------|---------|---------|"];
  const add = (fields: Schema, prefix: string): void => {
    for (const [key, spec] of Object.entries(fields)) {
      const name = `${prefix}.${key}`;
      const fallback = spec.required ? "required" : spec.fallback ?? "absent";
      rows.push(`| \`${name}\` | ${typeText(spec.type)} | ${fallback} | ${spec.doc.replace(/\|/g, "\\|")} |`);
      if (spec.type.kind === "object") add(spec.type.fields, name);
      if (spec.type.kind === "list") add(spec.type.of, `${name}[]`);
    }
  };
  add(schema, root);
  return rows.join("\n") + "\n";
}
