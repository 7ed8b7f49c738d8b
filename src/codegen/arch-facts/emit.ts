// generated/arch-facts.ts from the facts of dsl/arch, as Linux generates sysreg-defs.h from
// arch/arm64/tools/sysreg: a typed constant per enum (member -> value; a family's levels by
// level) and per layout (field -> msb, lsb), for the model and the prover; and `archFacts`,
// every enum, layout, variant and erratum with meanings, for the decoders. The module is
// self-contained (its types are declared in it), so that src/runtime can import it and still
// import nothing of the rule language.
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { commentText, stringLiteral } from "../escape.ts";
import { formatTypeScript } from "../format.ts";
import type { ArchFacts, EnumFact, LayoutFact } from "./facts.ts";

/** The names the module declares itself, which no enum or layout of dsl/arch may take. */
export const RESERVED_NAMES = ["archFacts", "ArchFacts", "ArchEnum", "ArchEnumMember", "ArchLayout", "ArchField", "ArchVariant", "ArchErratum", "ArchRevision"];

const GENERATOR_FILES = ["facts.ts", "emit.ts"].map((f) => fileURLToPath(new URL(f, import.meta.url)));

/** sha256 of every dsl/arch file (path and text, in path order) and of this generator's source. */
export function archFactsHash(texts: { path: string; text: string }[]): string {
  const h = createHash("sha256");
  for (const g of GENERATOR_FILES) h.update(`${readFileSync(g, "utf8")}\0`);
  for (const t of [...texts].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))) h.update(`${t.path}\0${t.text}\0`);
  return h.digest("hex");
}

const TYPES = `
export interface ArchEnumMember {
  readonly name: string;
  readonly value: number;
  /** The translation level of a family member (TRANS[2]); absent for a plain member. */
  readonly level?: number;
  readonly meaning?: string;
}
export interface ArchEnum {
  readonly name: string;
  readonly width: number;
  readonly file: string;
  readonly members: readonly ArchEnumMember[];
}
export interface ArchField {
  readonly name: string;
  readonly msb: number;
  readonly lsb: number;
  /** The enum that names the field's values. */
  readonly values?: string;
  readonly meaning?: string;
}
export interface ArchLayout {
  readonly name: string;
  readonly width: number;
  readonly file: string;
  readonly fields: readonly ArchField[];
}
/** The layout or enum that a field (or, without \`field\`, the whole layout) has for each selector value. */
export interface ArchVariant {
  readonly layout: string;
  readonly field?: string;
  readonly selector: string;
  readonly cases: readonly { readonly value: number; readonly member: string; readonly target: string }[];
}
export interface ArchRevision {
  readonly variant: number;
  readonly revision: number;
}
/** An erratum and the MIDR parts and revision ranges (inclusive) it affects. */
export interface ArchErratum {
  readonly erratum: string;
  readonly capability: string;
  readonly citation?: string;
  readonly ranges: readonly {
    readonly partEnum: string;
    readonly part: string;
    readonly partNum: number;
    readonly partMeaning?: string;
    readonly from: ArchRevision;
    readonly to: ArchRevision;
  }[];
}
export interface ArchFacts {
  readonly files: readonly string[];
  readonly sources: readonly string[];
  readonly enums: readonly ArchEnum[];
  readonly layouts: readonly ArchLayout[];
  readonly variants: readonly ArchVariant[];
  readonly errata: readonly ArchErratum[];
}
`;

const hex = (n: number): string => `0x${n.toString(16)}`;

function enumConstant(e: EnumFact): string {
  const plain = e.members.filter((m) => m.level === undefined);
  const families = new Map<string, { level: number; value: number }[]>();
  for (const m of e.members) if (m.level !== undefined) families.set(m.name, [...(families.get(m.name) ?? []), { level: m.level, value: m.value }]);
  const entries = [
    ...plain.map((m) => `${m.name}: ${hex(m.value)}`),
    ...[...families].map(([name, levels]) => `${name}: { ${levels.map((l) => `${stringLiteral(String(l.level))}: ${hex(l.value)}`).join(", ")} }`),
  ];
  return `/** enum ${e.name} (${e.width} bits, ${commentText(e.file)}). */\nexport const ${e.name} = { ${entries.join(", ")} } as const;\n`;
}

function layoutConstant(l: LayoutFact): string {
  const entries = l.fields.map((f) => `${f.name}: { msb: ${f.msb}, lsb: ${f.lsb} }`);
  return `/** layout ${l.name} (${l.width} bits, ${commentText(l.file)}). */\nexport const ${l.name} = { ${entries.join(", ")} } as const;\n`;
}

function literal(v: unknown): string {
  if (typeof v === "string") return stringLiteral(v);
  if (typeof v === "number") return String(v);
  if (Array.isArray(v)) return `[${v.map(literal).join(", ")}]`;
  if (v !== null && typeof v === "object") return `{ ${Object.entries(v).filter(([, x]) => x !== undefined).map(([k, x]) => `${k}: ${literal(x)}`).join(", ")} }`;
  throw new Error(`arch facts: cannot write ${String(v)}`);
}

export async function emitArchFacts(facts: ArchFacts, inputHash: string, from: string): Promise<string> {
  const header = [
    `// Generated by faultc from ${commentText(from)}: the architecture facts of its files, as typed data.`,
    "// Do not edit: change the files in dsl/arch and run `npm run gen`.",
    `// Input hash (sha256 of the dsl/arch files and the generator): ${inputHash}`,
    ...facts.sources.map((s) => `// Source: ${commentText(s)}`),
  ].join("\n");
  const body = [
    TYPES,
    ...facts.enums.map(enumConstant),
    ...facts.layouts.map(layoutConstant),
    `/** Every enum, layout, variant and erratum of ${commentText(from)}, with meanings, for the decoders. */`,
    `export const archFacts: ArchFacts = ${literal(facts)};`,
  ].join("\n");
  return formatTypeScript(`${header}\n${body}\n`);
}
