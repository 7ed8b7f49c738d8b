// The static types of the rule language. Every bit-vector has a width known at check time
// (Sail/ASL style); a layout or an enum attached to a bit-vector is only a view that gives
// names to its fields or values, never a different type.
import type * as A from "../ast.ts";

export interface EnumSymbol {
  kind: "enum";
  name: string;
  width: number;
  decl: A.EnumDecl;
  file: string;
  /** member -> level (null for a plain member) -> value */
  members: Map<string, Map<number | null, bigint>>;
}

export interface LayoutFieldSymbol {
  name: string;
  hi: number;
  lo: number;
  values: EnumSymbol | undefined;
  decl: A.LayoutField;
}

export interface LayoutSymbol {
  kind: "layout";
  name: string;
  width: number;
  decl: A.LayoutDecl;
  file: string;
  fields: Map<string, LayoutFieldSymbol>;
}

export type Ty =
  | { kind: "bits"; width: number; layout?: LayoutSymbol; values?: EnumSymbol }
  /** patchTime: decided by capabilities alone, when the kernel patches itself at boot. */
  | { kind: "bool"; patchTime: boolean }
  /** An integer constant with no width of its own: a literal, or a `const` without a type. */
  | { kind: "int"; value: bigint }
  /** An enum member that has several levels, usable only in `in` or with a level. */
  | { kind: "family"; values: bigint[]; enumSym: EnumSymbol; name: string }
  | { kind: "error" };

export const errorTy: Ty = { kind: "error" };

/**
 * A bit-vector type; `layout` and `values` are own properties only when given. Types are never
 * changed once made (like errorTy), so a plain bits(N) is one object per width: the model holds
 * a type for every expression of a file, and a new object for each was a share of checking time.
 */
export function bits(width: number, view?: { layout?: LayoutSymbol; values?: EnumSymbol }): Ty {
  const layout = view?.layout;
  const values = view?.values;
  if (!layout) {
    if (values) return { kind: "bits", width, values };
    return Number.isInteger(width) && width >= 0 && width <= MAX_WIDTH ? plainBits[width] : { kind: "bits", width };
  }
  return values ? { kind: "bits", width, layout, values } : { kind: "bits", width, layout };
}

const patchTimeBool: Ty = { kind: "bool", patchTime: true };
const dataBool: Ty = { kind: "bool", patchTime: false };

/** The boolean type, patch-time or not: one object each, as for bits(N). */
export function boolTy(patchTime: boolean): Ty {
  return patchTime ? patchTimeBool : dataBool;
}

export function showTy(t: Ty): string {
  switch (t.kind) {
    case "bits":
      return t.layout ? `bits(${t.width}) (${t.layout.name})` : t.values ? `bits(${t.width}) (${t.values.name})` : `bits(${t.width})`;
    case "bool":
      return t.patchTime ? "patch-time bool" : "bool";
    case "int":
      return `integer ${t.value}`;
    case "family":
      return `the ${t.values.length} values of ${t.enumSym.name}.${t.name}`;
    case "error":
      return "<error>";
  }
}

export function fits(value: bigint, width: number): boolean {
  return value >= 0n && value < 1n << BigInt(width);
}

export const MAX_WIDTH = 64;

const plainBits: Ty[] = Array.from({ length: MAX_WIDTH + 1 }, (_, width): Ty => ({ kind: "bits", width }));
