// Declaration checks, registered per declaration kind (Langium style): each check validates
// one kind of node and reports with an issue code. Symbols are collected first, so that
// declarations may refer to each other in any order.
import type * as A from "../ast.ts";
import type { Reporter } from "./reporter.ts";
import { aKind, declName, kindWord, type GlobalSymbol, type RecordSymbol } from "./symbols.ts";
import { bits, errorTy, fits, MAX_WIDTH, type EnumSymbol, type LayoutSymbol, type Ty } from "./types.ts";

export interface ImportedSymbols {
  /** Symbols declared by directly imported files, by name. */
  symbols: Map<string, GlobalSymbol>;
}

/** Builds the file's global scope: its own declarations over those it imports. */
export function collectGlobals(file: A.RuleFile, imported: ImportedSymbols, r: Reporter): Map<string, GlobalSymbol> {
  const globals = new Map<string, GlobalSymbol>(imported.symbols);
  const own = new Map<string, A.Name>();
  for (const d of file.decls) {
    const name = declName(d);
    if (name === undefined) continue;
    const prior = globals.get(name.text);
    if (prior !== undefined) {
      const where = own.has(name.text) ? own.get(name.text)!.range : declName(prior.decl as A.Decl)?.range;
      r.error("duplicate-name", name.range, `'${name.text}' is already declared as ${aKind(prior)}`,
        where ? [{ message: "declared here", file: prior.file, range: where }] : undefined);
      continue;
    }
    own.set(name.text, name);
    const sym = makeSymbol(d, file.path);
    if (sym !== undefined) globals.set(name.text, sym);
  }
  // Second pass: things that refer to other declarations (enum views of fields, types).
  for (const sym of globals.values()) {
    if (sym.file !== file.path) continue;
    resolveSymbol(sym, globals, r);
  }
  return globals;
}

function makeSymbol(d: A.Decl, file: string): GlobalSymbol | undefined {
  switch (d.kind) {
    case "enum":
      return { kind: "enum", name: d.name.text, width: d.width.value, decl: d, file, members: new Map() };
    case "layout":
      return { kind: "layout", name: d.name.text, width: d.width.value, decl: d, file, fields: new Map() };
    case "sysreg":
      return { kind: "sysreg", name: d.name.text, decl: d, file, type: errorTy };
    case "capability":
      return { kind: "capability", name: d.name.text, decl: d, file };
    case "exitcode":
      return { kind: "exitcode", name: d.name.text, decl: d, file, value: d.value.value };
    case "external":
      return { kind: "external", name: d.name.text, decl: d, file };
    case "recordDecl":
      return { kind: "recordDecl", name: d.name.text, decl: d, file, fields: new Map() };
    case "const":
      return { kind: "const", name: d.name.text, decl: d, file, type: errorTy };
    case "pred":
      return { kind: "pred", name: d.name.text, decl: d, file };
    case "fn":
      return { kind: "fn", name: d.name.text, decl: d, file };
    case "handler":
      return { kind: "handler", name: d.name.text, decl: d, file };
    default:
      return undefined;
  }
}

function checkWidth(width: number, range: A.Range, r: Reporter): boolean {
  if (width < 1 || width > MAX_WIDTH) {
    r.error("bad-width", range, `width ${width} is outside 1..${MAX_WIDTH}`);
    return false;
  }
  return true;
}

/** Resolves a written type: `64` or the name of a layout. */
export function resolveType(t: A.TypeRef, globals: Map<string, GlobalSymbol>, r: Reporter): Ty {
  if (t.kind === "bitsType") return checkWidth(t.width, t.range, r) ? bits(t.width) : errorTy;
  const sym = globals.get(t.name.text);
  if (sym === undefined) {
    r.error("undefined-name", t.name.range, `unknown type '${t.name.text}'`);
    return errorTy;
  }
  if (sym.kind === "layout") return sym.width >= 1 && sym.width <= MAX_WIDTH ? bits(sym.width, { layout: sym }) : errorTy;
  if (sym.kind === "enum") return sym.width >= 1 && sym.width <= MAX_WIDTH ? bits(sym.width, { values: sym }) : errorTy;
  r.error("not-a-type", t.name.range, `'${t.name.text}' is ${aKind(sym)}, not a layout or an enum`);
  return errorTy;
}

type SymbolCheck<S extends GlobalSymbol> = (sym: S, globals: Map<string, GlobalSymbol>, r: Reporter) => void;

const symbolChecks: { [K in GlobalSymbol["kind"]]?: SymbolCheck<Extract<GlobalSymbol, { kind: K }>> } = {
  enum: checkEnum,
  layout: checkLayout,
  sysreg: (sym, globals, r) => {
    sym.type = resolveType(sym.decl.type, globals, r);
  },
  exitcode: (sym, _g, r) => {
    if (!fits(sym.value, 64)) r.error("value-too-wide", sym.decl.value.range, `exit code ${sym.decl.value.text} does not fit in 64 bits`);
  },
  recordDecl: checkRecord,
};

function resolveSymbol(sym: GlobalSymbol, globals: Map<string, GlobalSymbol>, r: Reporter): void {
  const check = symbolChecks[sym.kind] as SymbolCheck<GlobalSymbol> | undefined;
  check?.(sym, globals, r);
}

function checkEnum(sym: EnumSymbol, _globals: Map<string, GlobalSymbol>, r: Reporter): void {
  const ok = checkWidth(sym.width, sym.decl.width.range, r);
  for (const m of sym.decl.members) {
    if (sym.members.has(m.name.text)) {
      r.error("duplicate-name", m.name.range, `enum ${sym.name} already has a member '${m.name.text}'`);
      continue;
    }
    const values = new Map<number | null, bigint>();
    const addValue = (level: number | null, value: bigint, range: A.Range, text: string) => {
      if (ok && !fits(value, sym.width)) {
        r.error("value-too-wide", range, `value ${text} of ${sym.name}.${m.name.text}${level === null ? "" : ` level ${level}`} does not fit in ${sym.width} bits`);
      }
      if (values.has(level)) r.error("duplicate-name", range, `${sym.name}.${m.name.text} already has level ${level}`);
      values.set(level, value);
    };
    if (m.value !== undefined) addValue(null, m.value.value, m.value.range, m.value.text);
    for (const l of m.levels) {
      if (l.to.value < l.from.value) {
        r.error("bad-level-range", l.range, `level range ${l.from.value}..${l.to.value} is empty`);
        continue;
      }
      if (l.from.value < -1 || l.to.value > 3) {
        r.error("bad-level-range", l.range, `translation table levels are -1..3, not ${l.from.value}..${l.to.value}`);
        continue;
      }
      for (let n = l.from.value; n <= l.to.value; n++) {
        const v = l.value.value + BigInt(n - l.from.value);
        addValue(n, v, l.range, `0x${v.toString(16)}`);
      }
    }
    sym.members.set(m.name.text, values);
  }
}

function checkLayout(sym: LayoutSymbol, globals: Map<string, GlobalSymbol>, r: Reporter): void {
  const ok = checkWidth(sym.width, sym.decl.width.range, r);
  for (const f of sym.decl.fields) {
    if (sym.fields.has(f.name.text)) {
      r.error("duplicate-name", f.name.range, `layout ${sym.name} already has a field '${f.name.text}'`);
      continue;
    }
    const range = { start: f.hi.range.start, end: f.lo.range.end };
    if (f.lo.value > f.hi.value) {
      r.error("bad-slice", range, `field ${f.name.text}: [${f.hi.value}:${f.lo.value}] has its high bit below its low bit`);
      continue;
    }
    if (ok && f.hi.value >= sym.width) {
      r.error("field-out-of-range", range, `field ${f.name.text} [${f.hi.value}:${f.lo.value}] lies outside ${sym.name}, which has ${sym.width} bits`);
      continue;
    }
    let values: EnumSymbol | undefined;
    if (f.values !== undefined) {
      const e = globals.get(f.values.text);
      if (e === undefined) r.error("undefined-name", f.values.range, `unknown enum '${f.values.text}'`);
      else if (e.kind !== "enum") r.error("not-a-type", f.values.range, `'${f.values.text}' is ${aKind(e)}, not an enum`);
      else if (e.width !== f.hi.value - f.lo.value + 1)
        r.error("width-mismatch", f.values.range, `enum ${e.name} has ${e.width} bits but field ${f.name.text} has ${f.hi.value - f.lo.value + 1}`);
      else values = e;
    }
    sym.fields.set(f.name.text, { name: f.name.text, hi: f.hi.value, lo: f.lo.value, values, decl: f });
  }
}

function checkRecord(sym: RecordSymbol, globals: Map<string, GlobalSymbol>, r: Reporter): void {
  for (const f of sym.decl.fields) {
    if (sym.fields.has(f.name.text)) {
      r.error("duplicate-name", f.name.range, `record ${sym.name} already has a field '${f.name.text}'`);
      continue;
    }
    sym.fields.set(f.name.text, { name: f.name.text, type: resolveType(f.type, globals, r), decl: f });
  }
}
