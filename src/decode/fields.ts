// A value split by a layout of dsl/arch into its fields, each with the meaning of its value: a
// field with an enum is named by its member (or marked reserved when no member has the value); a
// field whose value selects a variant (ESR.ISS by EC, PAR by F) is decoded by the selected
// layout in its place. Set bits that no field covers are reported as RES0, reserved.
import type { ArchEnumMember, ArchField, ArchLayout } from "../../generated/arch-facts.ts";
import { layout, membersOf, tables } from "./tables.ts";
import type { DecodedField } from "./types.ts";

export function bitsOf(value: bigint, msb: number, lsb: number): bigint {
  return (value >> BigInt(lsb)) & ((1n << BigInt(msb - lsb + 1)) - 1n);
}

/** "TRANS level 1" for a family member, "DABT_LOW" for a plain one; aliases joined by " or ". */
export function memberLabel(members: readonly ArchEnumMember[]): string {
  return members.map((m) => (m.level === undefined ? m.name : `${m.name} level ${m.level}`)).join(" or ");
}

/** "translation fault, level 1" for a family member, the meaning (or name) of a plain one. */
export function memberMeaning(members: readonly ArchEnumMember[]): string {
  const m = members[0];
  const what = m.meaning ?? m.name;
  return m.level === undefined ? what : `${what}, level ${m.level}`;
}

function fieldOf(f: ArchField, value: bigint, offset: number, enumName: string | undefined): DecodedField {
  const v = bitsOf(value, f.msb + offset, f.lsb + offset);
  const out: DecodedField = { name: f.name, msb: f.msb + offset, lsb: f.lsb + offset, value: v };
  if (enumName === undefined) {
    if (f.meaning !== undefined) out.meaning = f.meaning;
    return out;
  }
  const members = membersOf(enumName, v);
  if (members.length === 0) {
    out.meaning = `reserved: no ${enumName} value 0x${v.toString(16)}${f.meaning === undefined ? "" : ` (${f.meaning})`}`;
    out.reserved = true;
  } else out.meaning = `${memberLabel(members)}: ${memberMeaning(members)}`;
  return out;
}

/** Fields not strictly inside another field of the layout (ESR: ISS2, EC, IL, ISS). */
function topLevel(l: ArchLayout): ArchField[] {
  return l.fields.filter((f) => !l.fields.some((g) => g !== f && g.msb >= f.msb && g.lsb <= f.lsb && g.msb - g.lsb > f.msb - f.lsb));
}

export interface LayoutDecode {
  fields: DecodedField[];
  /** The layouts chosen by variants, by the field (or layout) they replace: "ISS" -> "DataAbortISS". */
  chosen: Map<string, string>;
}

/**
 * Decodes `value` (the bits of a register from `offset` up) by layout `name`. With `top` only the
 * outermost fields are listed (the abort-only ISV..FSC of ESR stand inside ISS and come from the
 * variant instead); a sub-layout lists all of its fields.
 */
export function decodeLayout(name: string, value: bigint, offset = 0, chosen = new Map<string, string>(), top = true): LayoutDecode {
  const t = tables();
  let l = layout(name);
  const whole = t.variants.get(name);
  let fields: ArchField[] = top ? topLevel(l) : [...l.fields];
  if (whole !== undefined) {
    const selector = l.fields.find((f) => f.name === whole.selector);
    const sel = selector === undefined ? undefined : bitsOf(value, selector.msb + offset, selector.lsb + offset);
    const c = whole.cases.find((x) => BigInt(x.value) === sel);
    const target = c === undefined ? undefined : t.layouts.get(c.target);
    if (target !== undefined) {
      chosen.set(name, target.name);
      l = target;
      fields = [...target.fields];
    }
  }
  const out: DecodedField[] = [];
  for (const f of fields) {
    const v = t.variants.get(`${l.name}.${f.name}`);
    const selector = v === undefined ? undefined : l.fields.find((x) => x.name === v.selector);
    const sel = selector === undefined ? undefined : bitsOf(value, selector.msb + offset, selector.lsb + offset);
    const c = v?.cases.find((x) => BigInt(x.value) === sel);
    if (c !== undefined && t.layouts.has(c.target)) {
      chosen.set(f.name, c.target);
      out.push(...decodeLayout(c.target, value, offset + f.lsb, chosen, false).fields);
    } else if (c !== undefined && t.enums.has(c.target)) out.push(fieldOf(f, value, offset, c.target));
    else out.push(fieldOf(f, value, offset, f.values));
  }
  const width = l.width;
  let covered = 0n;
  for (const f of l.fields) covered |= ((1n << BigInt(f.msb - f.lsb + 1)) - 1n) << BigInt(f.lsb);
  const unnamed = bitsOf(value, width - 1 + offset, offset) & ~covered;
  out.push(...res0Runs(unnamed, offset));
  out.sort((a, b) => b.msb - a.msb || b.lsb - a.lsb);
  return { fields: out, chosen };
}

/** Each run of set bits no field names, as a reserved RES0 field. */
function res0Runs(bits: bigint, offset: number): DecodedField[] {
  const out: DecodedField[] = [];
  let i = 0;
  while (bits >> BigInt(i) !== 0n) {
    if (((bits >> BigInt(i)) & 1n) === 0n) {
      i++;
      continue;
    }
    let j = i;
    while (((bits >> BigInt(j + 1)) & 1n) === 1n) j++;
    out.push({ name: "RES0", msb: j + offset, lsb: i + offset, value: bitsOf(bits, j, i), meaning: "reserved, RES0: set where the architecture defines no field", reserved: true });
    i = j + 1;
  }
  return out;
}

export function fieldNamed(fields: readonly DecodedField[], name: string): DecodedField | undefined {
  return fields.find((f) => f.name === name);
}
