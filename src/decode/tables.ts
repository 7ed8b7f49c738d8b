// Lookups over the generated architecture facts (generated/arch-facts.ts, from dsl/arch): enums
// by name and value, layouts by name, variants by layout and field. Built once, on first use.
import { archFacts, type ArchEnum, type ArchEnumMember, type ArchLayout, type ArchVariant } from "../../generated/arch-facts.ts";

export interface Tables {
  enums: Map<string, ArchEnum>;
  /** enum name -> value -> its members (several when names alias one value). */
  byValue: Map<string, Map<number, ArchEnumMember[]>>;
  layouts: Map<string, ArchLayout>;
  /** `${layout}.${field}`, or the layout's name for a variant of the whole layout. */
  variants: Map<string, ArchVariant>;
}

let built: Tables | undefined;

export function tables(): Tables {
  if (built !== undefined) return built;
  const byValue = new Map<string, Map<number, ArchEnumMember[]>>();
  for (const e of archFacts.enums) {
    const m = new Map<number, ArchEnumMember[]>();
    for (const member of e.members) m.set(member.value, [...(m.get(member.value) ?? []), member]);
    byValue.set(e.name, m);
  }
  built = {
    enums: new Map(archFacts.enums.map((e) => [e.name, e])),
    byValue,
    layouts: new Map(archFacts.layouts.map((l) => [l.name, l])),
    variants: new Map(archFacts.variants.map((v) => [v.field === undefined ? v.layout : `${v.layout}.${v.field}`, v])),
  };
  return built;
}

export function layout(name: string): ArchLayout {
  const l = tables().layouts.get(name);
  // dsl/arch declares every layout the decoders name; a missing one is a bug of faultc.
  if (l === undefined) throw new Error(`generated/arch-facts.ts has no layout ${name}: run npm run gen`);
  return l;
}

/** The members of `enumName` with this value (empty: the value is reserved or unallocated). */
export function membersOf(enumName: string, value: bigint): ArchEnumMember[] {
  if (value > BigInt(Number.MAX_SAFE_INTEGER)) return [];
  return tables().byValue.get(enumName)?.get(Number(value)) ?? [];
}

/** The value of a plain member, or a family's level. */
export function memberValue(enumName: string, member: string, level?: number): number {
  const found = tables().enums.get(enumName)?.members.find((m) => m.name === member && m.level === level);
  if (found === undefined) throw new Error(`generated/arch-facts.ts has no ${enumName}.${member}${level === undefined ? "" : `[${level}]`}: run npm run gen`);
  return found.value;
}
