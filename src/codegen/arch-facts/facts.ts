// The architecture facts of dsl/arch as plain data: every enum with its members' values and
// meanings, every layout with its fields, every variant (which layout or enum a field, or a whole
// layout, has for which value of a selector) and every erratum with its MIDR ranges. Collected
// from the checked files, never from their text; emit.ts writes it as generated/arch-facts.ts.
import * as path from "node:path";
import type * as A from "../../parser/ast.ts";
import type { Workspace } from "../../parser/workspace.ts";

export interface EnumMemberFact {
  name: string;
  value: number;
  /** The translation level of a family member (`TRANS[2]`), absent for a plain member. */
  level?: number;
  meaning?: string;
}
export interface EnumFact {
  name: string;
  width: number;
  file: string;
  members: EnumMemberFact[];
}
export interface FieldFact {
  name: string;
  msb: number;
  lsb: number;
  /** The enum naming the field's values. */
  values?: string;
  meaning?: string;
}
export interface LayoutFact {
  name: string;
  width: number;
  file: string;
  fields: FieldFact[];
}
export interface VariantFact {
  layout: string;
  /** Absent: the variant is of the whole layout. */
  field?: string;
  selector: string;
  /** Each selector value with a variant: the enum member and the layout or enum it selects. */
  cases: { value: number; member: string; target: string }[];
}
export interface RevisionFact {
  variant: number;
  revision: number;
}
export interface ErratumFact {
  erratum: string;
  capability: string;
  citation?: string;
  ranges: { partEnum: string; part: string; partNum: number; partMeaning?: string; from: RevisionFact; to: RevisionFact }[];
}
export interface ArchFacts {
  files: string[];
  sources: string[];
  enums: EnumFact[];
  layouts: LayoutFact[];
  variants: VariantFact[];
  errata: ErratumFact[];
}

/** An enum or layout name declared twice across dsl/arch, or a value too wide for a number. */
export class ArchFactsError extends Error {}

const SAFE = 2 ** 53;

export function collectArchFacts(ws: Workspace, files: string[]): ArchFacts {
  const facts: ArchFacts = { files: [], sources: [], enums: [], layouts: [], variants: [], errata: [] };
  const seen = new Map<string, string>();
  const declare = (name: string, file: string) => {
    const prior = seen.get(name);
    if (prior !== undefined) throw new ArchFactsError(`${file}: '${name}' is also declared in ${prior}; the architecture facts need one of each name`);
    seen.set(name, file);
  };
  for (const f of [...files].sort()) {
    const checked = ws.files.get(path.normalize(f));
    if (checked === undefined) continue;
    const file = f.split(path.sep).join("/");
    facts.files.push(file);
    for (const d of checked.ast.decls) {
      if (d.kind === "source") facts.sources.push(d.text.value);
      if (d.kind === "enum") {
        declare(d.name.text, file);
        facts.enums.push({ name: d.name.text, width: d.width.value, file, members: enumMembers(d, file) });
      }
      if (d.kind === "layout") {
        declare(d.name.text, file);
        facts.layouts.push({ name: d.name.text, width: d.width.value, file, fields: d.fields.map(fieldFact) });
      }
    }
  }
  const enums = new Map(facts.enums.map((e) => [e.name, e]));
  const layouts = new Map(facts.layouts.map((l) => [l.name, l]));
  for (const f of [...files].sort()) {
    const checked = ws.files.get(path.normalize(f));
    if (checked === undefined) continue;
    for (const d of checked.ast.decls) {
      if (d.kind === "variant") facts.variants.push(variantFact(d, layouts, enums));
      if (d.kind === "erratum") facts.errata.push(erratumFact(d, enums));
    }
  }
  return facts;
}

function checkedValue(v: bigint, file: string, what: string): number {
  if (v >= BigInt(SAFE)) throw new ArchFactsError(`${file}: ${what} = 0x${v.toString(16)} is too large for the architecture facts (at most 2^53 - 1)`);
  return Number(v);
}

function enumMembers(d: A.EnumDecl, file: string): EnumMemberFact[] {
  const out: EnumMemberFact[] = [];
  for (const m of d.members) {
    const meaning = m.meaning?.value;
    if (m.value !== undefined) out.push({ name: m.name.text, value: checkedValue(m.value.value, file, `${d.name.text}.${m.name.text}`), ...(meaning !== undefined ? { meaning } : {}) });
    for (const l of m.levels) {
      for (let n = l.from.value; n <= l.to.value; n++) {
        const value = checkedValue(l.value.value + BigInt(n - l.from.value), file, `${d.name.text}.${m.name.text}[${n}]`);
        out.push({ name: m.name.text, value, level: n, ...(meaning !== undefined ? { meaning } : {}) });
      }
    }
  }
  return out;
}

function fieldFact(f: A.LayoutField): FieldFact {
  return {
    name: f.name.text,
    msb: f.hi.value,
    lsb: f.lo.value,
    ...(f.values !== undefined ? { values: f.values.text } : {}),
    ...(f.meaning !== undefined ? { meaning: f.meaning.value } : {}),
  };
}

function variantFact(d: A.VariantDecl, layouts: Map<string, LayoutFact>, enums: Map<string, EnumFact>): VariantFact {
  const layout = layouts.get(d.layout.text);
  const selector = layout?.fields.find((f) => f.name === d.selector.text);
  const values = selector?.values === undefined ? undefined : enums.get(selector.values);
  const cases: VariantFact["cases"] = [];
  for (const c of d.cases) {
    for (const m of c.members) {
      // A family selects with each of its levels.
      for (const member of values?.members.filter((x) => x.name === m.text) ?? []) cases.push({ value: member.value, member: m.text, target: c.target.text });
    }
  }
  cases.sort((a, b) => a.value - b.value);
  return { layout: d.layout.text, ...(d.field !== undefined ? { field: d.field.text } : {}), selector: d.selector.text, cases };
}

function revision(n: A.Name): RevisionFact {
  const m = /^r(\d+)p(\d+)$/.exec(n.text);
  return { variant: Number(m?.[1] ?? 0), revision: Number(m?.[2] ?? 0) };
}

function erratumFact(d: A.ErratumDecl, enums: Map<string, EnumFact>): ErratumFact {
  return {
    erratum: d.number.value.toString(),
    capability: d.capability.text,
    ...(d.citation !== undefined ? { citation: d.citation.value } : {}),
    ranges: d.ranges.map((r) => {
      const member = enums.get(r.partEnum.text)?.members.find((m) => m.name === r.part.text);
      return {
        partEnum: r.partEnum.text,
        part: r.part.text,
        partNum: member?.value ?? 0,
        ...(member?.meaning !== undefined ? { partMeaning: member.meaning } : {}),
        from: revision(r.from),
        to: revision(r.to),
      };
    }),
  };
}
