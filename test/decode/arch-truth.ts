// The field definitions of dsl/arch read through the rule language's own checker, apart from the
// generated module the decoders use: what the decoders' output is checked against, so that a
// decoder and an arch file that disagree fail the tests.
import type * as A from "../../src/parser/ast.ts";
import type { EnumSymbol, LayoutSymbol } from "../../src/parser/checker/types.ts";
import { checkFiles } from "../../src/parser/workspace.ts";
import { archFiles } from "../../src/codegen/arch-facts/plan.ts";

export interface Truth {
  layouts: Map<string, LayoutSymbol>;
  enums: Map<string, EnumSymbol>;
  /** "ESR.ISS" -> EC member -> the layout it selects. */
  variants: Map<string, Map<string, string>>;
  errata: A.ErratumDecl[];
  /** enum member meanings: "FaultStatus.TRANS" -> "translation fault". */
  meanings: Map<string, string>;
}

let truth: Truth | undefined;

export function archTruth(): Truth {
  if (truth !== undefined) return truth;
  const files = archFiles("dsl/arch");
  const ws = checkFiles(files);
  if (ws.diagnostics.some((d) => d.severity === "error")) throw new Error("dsl/arch does not check");
  const t: Truth = { layouts: new Map(), enums: new Map(), variants: new Map(), errata: [], meanings: new Map() };
  for (const f of ws.files.values()) {
    for (const sym of f.exports.values()) {
      if (sym.kind === "layout") t.layouts.set(sym.name, sym);
      if (sym.kind === "enum") t.enums.set(sym.name, sym);
    }
    for (const d of f.ast.decls) {
      if (d.kind === "enum") for (const m of d.members) if (m.meaning) t.meanings.set(`${d.name.text}.${m.name.text}`, m.meaning.value);
      if (d.kind === "variant") {
        const key = d.field === undefined ? d.layout.text : `${d.layout.text}.${d.field.text}`;
        const cases = t.variants.get(key) ?? new Map<string, string>();
        for (const c of d.cases) for (const m of c.members) cases.set(m.text, c.target.text);
        t.variants.set(key, cases);
      }
      if (d.kind === "erratum") t.errata.push(d);
    }
  }
  truth = t;
  return t;
}

/** The members of an enum with this value, as the checker resolved them: [name, level]. */
export function membersWithValue(e: EnumSymbol, value: bigint): [string, number | null][] {
  const out: [string, number | null][] = [];
  for (const [name, levels] of e.members) for (const [level, v] of levels) if (v === value) out.push([name, level]);
  return out;
}

export function bits(value: bigint, msb: number, lsb: number): bigint {
  return (value >> BigInt(lsb)) & ((1n << BigInt(msb - lsb + 1)) - 1n);
}
