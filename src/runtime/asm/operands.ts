// Operand parsing for one statement: registers, immediates, shifts, memory operands, labels,
// conditions and system register names, each failing with a located AsmError.
import { conditionCode } from "../semantics/flags.ts";
import type { GpRegister, RegWidth, ShiftType, SymbolRef } from "../semantics/instruction.ts";
import { genericSysregName, sysregByEncoding, sysregByName } from "../machine/sysreg-table.ts";
import { AsmError, type SourceLocation } from "./errors.ts";
import { ExpressionParser, type ConstantLookup } from "./expression.ts";
import type { Token } from "./tokens.ts";

export interface Operand {
  readonly tokens: readonly Token[];
  readonly loc: SourceLocation;
  /** The operand as written, for messages. */
  readonly text: string;
}

export interface ParsedRegister {
  readonly reg: GpRegister;
  readonly width: RegWidth;
  readonly name: string;
}

/** Splits operand tokens at top-level commas (commas inside [...] or (...) stay). */
export function splitOperands(tokens: readonly Token[], raw: string, rawStartColumn: number, loc: SourceLocation): Operand[] {
  const out: Operand[] = [];
  let depth = 0;
  let current: Token[] = [];
  let commaColumn = loc.column;
  const flush = () => {
    if (current.length === 0) throw new AsmError({ ...loc, column: commaColumn }, "missing operand");
    const first = current[0];
    const last = current[current.length - 1];
    const text = raw.slice(first.column - rawStartColumn, last.column - rawStartColumn + last.text.length);
    out.push({ tokens: current, loc: { ...loc, column: first.column }, text });
    current = [];
  };
  for (const t of tokens) {
    if (t.kind === "punct" && (t.text === "[" || t.text === "(")) depth++;
    if (t.kind === "punct" && (t.text === "]" || t.text === ")")) depth--;
    if (t.kind === "punct" && t.text === "," && depth === 0) {
      commaColumn = t.column;
      flush();
      commaColumn = t.column + 1;
      continue;
    }
    current.push(t);
  }
  if (current.length > 0 || out.length > 0) flush();
  return out;
}

const REGISTER_ALIASES: Record<string, number> = { lr: 30, fp: 29, ip0: 16, ip1: 17 };

/** The register an operand names, if it is exactly one register name. */
export function registerNamed(name: string): ParsedRegister | undefined {
  const lower = name.toLowerCase();
  if (lower === "xzr") return { reg: { kind: "zr" }, width: 64, name: lower };
  if (lower === "wzr") return { reg: { kind: "zr" }, width: 32, name: lower };
  if (lower === "sp") return { reg: { kind: "sp" }, width: 64, name: lower };
  if (lower === "wsp") return { reg: { kind: "sp" }, width: 32, name: lower };
  if (lower in REGISTER_ALIASES) return { reg: { kind: "x", index: REGISTER_ALIASES[lower] }, width: 64, name: lower };
  const m = /^([xw])([0-9]|[12][0-9]|30)$/.exec(lower);
  if (m) return { reg: { kind: "x", index: Number(m[2]) }, width: m[1] === "x" ? 64 : 32, name: lower };
  return undefined;
}

export interface RegisterRules {
  /** Register 31 means SP here. */
  sp?: boolean;
  /** Register 31 means ZR here (the default for most operands). */
  zr?: boolean;
  /** The width the operand must have. */
  width?: RegWidth;
}

/** The operands of one statement, with the parsing helpers its mnemonic handler uses. */
export class Operands {
  constructor(
    readonly mnemonic: string,
    readonly list: readonly Operand[],
    readonly loc: SourceLocation,
    readonly lookup: ConstantLookup,
  ) {}

  get length(): number {
    return this.list.length;
  }

  error(index: number, reason: string): AsmError {
    return new AsmError(index < this.list.length ? this.list[index].loc : this.loc, reason);
  }

  /** Checks the operand count is one of `counts`. */
  expectCount(...counts: number[]): void {
    if (counts.includes(this.list.length)) return;
    const want = counts.length === 1 ? `${counts[0]}` : `${counts.slice(0, -1).join(", ")} or ${counts[counts.length - 1]}`;
    throw new AsmError(this.loc, `'${this.mnemonic}' expects ${want} operands, got ${this.list.length}`);
  }

  op(index: number): Operand {
    const o = this.list[index];
    if (o === undefined) throw new AsmError(this.loc, `'${this.mnemonic}' is missing operand ${index + 1}`);
    return o;
  }

  isRegister(index: number): boolean {
    const o = this.list[index];
    return o !== undefined && o.tokens.length === 1 && o.tokens[0].kind === "ident" && registerNamed(o.tokens[0].text) !== undefined;
  }

  register(index: number, rules: RegisterRules = {}): ParsedRegister {
    const o = this.op(index);
    const r = o.tokens.length === 1 && o.tokens[0].kind === "ident" ? registerNamed(o.tokens[0].text) : undefined;
    if (r === undefined) throw new AsmError(o.loc, `expected a general-purpose register, got '${o.text}'`);
    const allowSp = rules.sp ?? false;
    const allowZr = rules.zr ?? !allowSp;
    if (r.reg.kind === "sp" && !allowSp) throw new AsmError(o.loc, `'${r.name}' is not allowed here`);
    if (r.reg.kind === "zr" && !allowZr) throw new AsmError(o.loc, `'${r.name}' is not allowed here`);
    if (rules.width !== undefined && r.width !== rules.width) {
      throw new AsmError(o.loc, `expected a ${rules.width}-bit register, got '${o.text}'`);
    }
    return r;
  }

  /** An immediate: `#expr` (the `#` is optional, as in GNU as). */
  immediate(index: number): bigint {
    const o = this.op(index);
    const toks = o.tokens[0]?.kind === "punct" && o.tokens[0].text === "#" ? o.tokens.slice(1) : o.tokens;
    if (toks.length === 0) throw new AsmError(o.loc, "expected an immediate after '#'");
    if (toks.length === 1 && toks[0].kind === "ident" && registerNamed(toks[0].text) !== undefined) {
      throw new AsmError(o.loc, `expected an immediate, got register '${o.text}'`);
    }
    return new ExpressionParser(toks, o.loc, this.lookup).parseAll();
  }

  isImmediate(index: number): boolean {
    const o = this.list[index];
    if (o === undefined) return false;
    return !this.isRegister(index) && !(o.tokens[0]?.kind === "punct" && o.tokens[0].text === "[");
  }

  /** A shift operand `lsl #n` (lsr, asr, ror); `allowed` lists the permitted kinds. */
  shift(index: number, allowed: readonly ShiftType[]): { shift: ShiftType; amount: bigint } {
    const o = this.op(index);
    const head = o.tokens[0];
    const kind = head?.kind === "ident" ? head.text.toLowerCase() : "";
    if (!(allowed as readonly string[]).includes(kind)) {
      throw new AsmError(o.loc, `expected a shift (${allowed.join(", ")}), got '${o.text}'`);
    }
    const rest = o.tokens.slice(1);
    if (rest.length === 0) throw new AsmError(o.loc, `expected a shift amount after '${kind}'`);
    const amountToks = rest[0].kind === "punct" && rest[0].text === "#" ? rest.slice(1) : rest;
    const amount = new ExpressionParser(amountToks, { ...o.loc, column: rest[0].column }, this.lookup).parseAll();
    return { shift: kind as ShiftType, amount };
  }

  /** `[base]`, `[base, #off]` or `[base, #off]!`; the base is an X register or SP. */
  memory(index: number): { base: GpRegister; offset: bigint; writeBack: boolean; hasOffset: boolean } {
    const o = this.op(index);
    const t = o.tokens;
    if (t[0]?.text !== "[") throw new AsmError(o.loc, `expected a memory operand '[...]', got '${o.text}'`);
    const close = t.findIndex((x) => x.kind === "punct" && x.text === "]");
    if (close < 0) throw new AsmError(o.loc, "missing ']' in memory operand");
    const after = t.slice(close + 1);
    const writeBack = after.length === 1 && after[0].text === "!";
    if (after.length > 0 && !writeBack) throw new AsmError({ ...o.loc, column: after[0].column }, `unexpected '${after[0].text}' after memory operand`);
    const inner = t.slice(1, close);
    const comma = inner.findIndex((x) => x.kind === "punct" && x.text === ",");
    const baseToks = comma < 0 ? inner : inner.slice(0, comma);
    const baseLoc = { ...o.loc, column: baseToks[0]?.column ?? o.loc.column };
    const base = baseToks.length === 1 && baseToks[0].kind === "ident" ? registerNamed(baseToks[0].text) : undefined;
    if (base === undefined || base.width !== 64 || base.reg.kind === "zr") {
      throw new AsmError(baseLoc, "expected a 64-bit base register or sp in memory operand");
    }
    if (comma < 0) {
      if (writeBack) throw new AsmError(o.loc, "pre-index writeback '!' needs an offset");
      return { base: base.reg, offset: 0n, writeBack: false, hasOffset: false };
    }
    let offToks = inner.slice(comma + 1);
    if (offToks.length === 0) throw new AsmError(o.loc, "expected an offset after ','");
    if (offToks.length === 1 && offToks[0].kind === "ident" && registerNamed(offToks[0].text) !== undefined) {
      throw new AsmError({ ...o.loc, column: offToks[0].column }, "register offsets are not supported; use an immediate offset");
    }
    const offLoc = { ...o.loc, column: offToks[0].column };
    if (offToks[0].kind === "punct" && offToks[0].text === "#") offToks = offToks.slice(1);
    const offset = new ExpressionParser(offToks, offLoc, this.lookup).parseAll();
    return { base: base.reg, offset, writeBack, hasOffset: true };
  }

  isMemory(index: number): boolean {
    return this.list[index]?.tokens[0]?.text === "[";
  }

  label(index: number): SymbolRef {
    const o = this.op(index);
    if (o.tokens.length === 1) {
      const t = o.tokens[0];
      if (t.kind === "localref") return { kind: "local", number: Number(t.value), direction: t.text.endsWith("f") ? "f" : "b" };
      if (t.kind === "ident" && registerNamed(t.text) === undefined) return { kind: "label", name: t.text };
    }
    throw new AsmError(o.loc, `expected a label, got '${o.text}'`);
  }

  condition(index: number): number {
    const o = this.op(index);
    const c = o.tokens.length === 1 && o.tokens[0].kind === "ident" ? conditionCode(o.tokens[0].text) : undefined;
    if (c === undefined) throw new AsmError(o.loc, `expected a condition (eq, ne, cs/hs, cc/lo, mi, pl, vs, vc, hi, ls, ge, lt, gt, le, al, nv), got '${o.text}'`);
    return c;
  }

  /** A system register by name or as S<op0>_<op1>_C<n>_C<m>_<op2>; returns the canonical table name. */
  systemRegister(index: number): string {
    const o = this.op(index);
    const word = o.tokens.length === 1 && o.tokens[0].kind === "ident" ? o.tokens[0].text : o.text;
    const byName = sysregByName(word);
    if (byName !== undefined) return byName.name;
    const m = /^s([0-3])_([0-7])_c([0-9]|1[0-5])_c([0-9]|1[0-5])_([0-7])$/i.exec(word);
    if (m) {
      const e = { op0: Number(m[1]), op1: Number(m[2]), crn: Number(m[3]), crm: Number(m[4]), op2: Number(m[5]) };
      const reg = sysregByEncoding(e);
      if (reg !== undefined) return reg.name;
      throw new AsmError(o.loc, `system register ${genericSysregName(e)} is not modelled`);
    }
    throw new AsmError(o.loc, `unknown system register '${word}'`);
  }

  /** A bare keyword operand (e.g. `s1e1r`, `sy`), lower-cased. */
  keyword(index: number): string {
    const o = this.op(index);
    if (o.tokens.length !== 1 || o.tokens[0].kind !== "ident") throw new AsmError(o.loc, `expected a keyword, got '${o.text}'`);
    return o.tokens[0].text.toLowerCase();
  }
}

/** Range check helper: throws a located error unless lo <= v <= hi. */
export function checkRange(ops: Operands, index: number, v: bigint, lo: bigint, hi: bigint, what: string): number {
  if (v < lo || v > hi) throw ops.error(index, `${what} ${v} out of range ${lo}..${hi}`);
  return Number(v);
}
