// Typing of expressions. Widths are static and must agree exactly; integer literals take the
// width of what they meet and must fit it; capabilities are patch-time booleans and never
// data; enum members are found by the enum of the field they are compared with.
import type * as A from "../ast.ts";
import type { Resolution, SemanticModel } from "./model.ts";
import type { Reporter } from "./reporter.ts";
import { aKind, kindWord, type GlobalSymbol, type RecordSymbol } from "./symbols.ts";
import { bits, boolTy, errorTy, fits, showTy, type EnumSymbol, type LayoutFieldSymbol, type Ty } from "./types.ts";

/** Where an expression stands: in a handler, in a pure predicate or function, in a contract, in a constant. */
export type Mode = "handler" | "pure" | "contract" | "const";

export interface Local {
  name: string;
  ty: Ty;
  decl: A.LetStmt | A.Param;
  /** What a use of it resolves to, made on the first use and shared by the others (resolutions are never changed). */
  resolution?: Resolution;
}

/** The type of a layout field's value, one object per field (types are never changed once made). */
const fieldTypes = new WeakMap<LayoutFieldSymbol, Ty>();

export interface ExprEnv {
  globals: Map<string, GlobalSymbol>;
  locals: Map<string, Local>;
  mode: Mode;
  record: RecordSymbol | undefined;
  r: Reporter;
  model: SemanticModel;
  /** Parameter types of predicates and functions, resolved once. */
  signature: (callee: Extract<GlobalSymbol, { kind: "pred" | "fn" }>) => { params: Ty[]; result: Ty };
  /** The enums in `globals` with a member of that name, in the order of `globals`. */
  enumsWithMember: (member: string) => EnumSymbol[];
}

/** The enum whose members are the AT operations a rule may name (dsl/arch/aarch64.fault). */
export const AT_OPERATION_ENUM = "AtOperation";
/** How an AT operation's name reads (stages, exception level, access), the meaning the backends and the machine give it. */
const AT_OPERATION_NAME = /^(S1E[01][RW]|S1E1A|S12E[01][RW])$/;
const BUILTINS = new Set(["zext", "sext", "trunc", "genmask"]);
const COMPARISONS = new Set<string>(["==", "!=", "<", "<=", ">", ">="]);

export class ExprChecker {
  constructor(private readonly env: ExprEnv) {}

  private get r(): Reporter {
    return this.env.r;
  }

  private record(e: A.Expr, t: Ty): Ty {
    this.env.model.types.set(e, t);
    return t;
  }

  /** Checks `e`, with the enum whose members bare names may denote, if any. */
  check(e: A.Expr, hint?: EnumSymbol): Ty {
    return this.record(e, this.compute(e, hint));
  }

  /** Checks a condition: must be a boolean. */
  checkBool(e: A.Expr): Ty {
    const t = this.check(e);
    if (t.kind === "error" || t.kind === "bool") return t;
    this.r.error("type-mismatch", e.range, `expected a boolean condition but found ${showTy(t)}${t.kind === "bits" && t.width === 1 ? " (compare it: `== 1`)" : ""}`);
    return errorTy;
  }

  /** Checks `e` where a bit-vector of `width` bits is needed; integer constants adapt and must fit. */
  checkBits(e: A.Expr, width: number, what: string): Ty {
    const t = this.check(e);
    return this.coerce(e, t, width, what);
  }

  private coerce(e: A.Expr, t: Ty, width: number, what: string): Ty {
    switch (t.kind) {
      case "error":
        return t;
      case "int":
        if (!fits(t.value, width)) {
          this.r.error("value-too-wide", e.range, `${t.value < 0n ? "negative value" : "value"} ${showInt(t.value)} does not fit in ${what}, which has ${width} bits`);
          return errorTy;
        }
        this.env.model.constants.set(e, t.value);
        return this.record(e, bits(width));
      case "bits":
        if (t.width !== width) {
          this.r.error("width-mismatch", e.range, `${what} has ${width} bits but this value has ${t.width}; use zext, sext or trunc`);
          return errorTy;
        }
        return t;
      case "bool":
        this.r.error("type-mismatch", e.range, t.patchTime ? `a capability is a patch-time boolean, not data: it cannot be used as ${what}` : `expected ${what} (bits(${width})) but found a boolean`);
        return errorTy;
      case "family":
        this.r.error("enum-family-needs-level", e.range, `${t.enumSym.name}.${t.name} names ${t.values.length} values: use \`in\` or pick a level, e.g. ${t.name}[${firstLevel(t.enumSym, t.name)}]`);
        return errorTy;
    }
  }

  private compute(e: A.Expr, hint: EnumSymbol | undefined): Ty {
    switch (e.kind) {
      case "int":
        return { kind: "int", value: e.value };
      case "bool":
        return boolTy(true);
      case "name":
        return this.name(e, hint);
      case "field":
        return this.field(e);
      case "slice":
        return this.slice(e);
      case "call":
        return this.call(e);
      case "unary":
        return this.unary(e);
      case "binary":
        return this.binary(e);
      case "in":
        return this.membership(e);
      case "read":
        return this.read(e);
      case "at":
        return this.at(e);
    }
  }

  private name(e: A.NameRef, hint: EnumSymbol | undefined): Ty {
    const text = e.name.text;
    const local = this.env.locals.get(text);
    if (local !== undefined) {
      this.env.model.resolutions.set(e, (local.resolution ??= { kind: "local", name: text, decl: local.decl }));
      return local.ty;
    }
    if (this.env.mode === "contract" && this.env.record?.fields.has(text)) {
      this.env.model.resolutions.set(e, { kind: "recordField", field: text });
      return this.env.record.fields.get(text)!.type;
    }
    const sym = this.env.globals.get(text);
    if (sym !== undefined) {
      switch (sym.kind) {
        case "capability":
          this.env.model.resolutions.set(e, { kind: "global", symbol: sym });
          return boolTy(true);
        case "const":
          this.env.model.resolutions.set(e, { kind: "global", symbol: sym });
          return sym.type;
        case "sysreg":
          if (this.env.mode === "contract") {
            this.env.model.resolutions.set(e, { kind: "sysregInput", symbol: sym });
            return sym.type;
          }
          this.r.error("sysreg-needs-read", e.range, `'${text}' is a system register: read it with \`read ${text}\``);
          return errorTy;
        default:
          if (hint === undefined || !hint.members.has(text)) {
            this.r.error("not-a-value", e.range, `'${text}' is ${aKind(sym)}, not a value`);
            return errorTy;
          }
      }
    }
    if (hint !== undefined && hint.members.has(text)) return this.enumMember(e, hint, text);
    // A bare name that is a member of exactly one enum in scope is also accepted.
    const owners = this.env.enumsWithMember(text);
    if (owners.length === 1 && hint === undefined) return this.enumMember(e, owners[0], text);
    if (owners.length > 1) {
      this.r.error("ambiguous-name", e.range, `'${text}' is a member of ${owners.map((o) => o.name).join(" and ")}: qualify it, e.g. ${owners[0].name}.${text}`);
      return errorTy;
    }
    this.r.error("undefined-name", e.range, `undefined name '${text}'`);
    return errorTy;
  }

  private enumMember(e: A.Expr, en: EnumSymbol, member: string): Ty {
    const levels = en.members.get(member)!;
    const plain = levels.get(null);
    if (levels.size === 1 && plain !== undefined) {
      this.env.model.resolutions.set(e, { kind: "enumValue", value: plain, enumName: en.name, member, level: null });
      return { kind: "bits", width: en.width, values: en };
    }
    const values = [...levels.values()];
    this.env.model.resolutions.set(e, { kind: "family", values, enumName: en.name, member });
    return { kind: "family", values, enumSym: en, name: member };
  }

  private field(e: A.FieldAccess): Ty {
    // `ExceptionClass.DABT_LOW`: a qualified enum member.
    if (e.target.kind === "name" && !this.env.locals.has(e.target.name.text)) {
      const sym = this.env.globals.get(e.target.name.text);
      if (sym?.kind === "enum") {
        if (!sym.members.has(e.field.text)) {
          this.r.error("undefined-name", e.field.range, `enum ${sym.name} has no member '${e.field.text}'`);
          return errorTy;
        }
        return this.enumMember(e, sym, e.field.text);
      }
    }
    const t = this.check(e.target);
    if (t.kind === "error") return t;
    if (t.kind !== "bits" || t.layout === undefined) {
      this.r.error("unknown-field", e.field.range, `${showTy(t)} has no fields; give it a layout type to name its fields`);
      return errorTy;
    }
    const f = t.layout.fields.get(e.field.text);
    if (f === undefined) {
      this.r.error("unknown-field", e.field.range, `layout ${t.layout.name} has no field '${e.field.text}'`);
      return errorTy;
    }
    let ty = fieldTypes.get(f);
    if (ty === undefined) fieldTypes.set(f, (ty = bits(f.hi - f.lo + 1, { values: f.values })));
    return ty;
  }

  private slice(e: A.SliceExpr): Ty {
    // `TRANS[-1]`: one level of an enum family.
    const targetTy = this.check(e.target);
    if (targetTy.kind === "family") {
      if (e.lo !== undefined) {
        this.r.error("bad-slice", e.range, `a level is one number: ${targetTy.name}[${e.hi.value}]`);
        return errorTy;
      }
      const value = targetTy.enumSym.members.get(targetTy.name)!.get(e.hi.value);
      if (value === undefined) {
        this.r.error("bad-level", e.hi.range, `${targetTy.enumSym.name}.${targetTy.name} has no level ${e.hi.value}`);
        return errorTy;
      }
      this.env.model.resolutions.set(e, { kind: "enumValue", value, enumName: targetTy.enumSym.name, member: targetTy.name, level: e.hi.value });
      return { kind: "bits", width: targetTy.enumSym.width, values: targetTy.enumSym };
    }
    if (targetTy.kind === "error") return targetTy;
    if (targetTy.kind !== "bits") {
      this.r.error("type-mismatch", e.target.range, `only a bit-vector can be sliced, not ${showTy(targetTy)}`);
      return errorTy;
    }
    const hi = e.hi.value;
    const lo = e.lo?.value ?? hi;
    if (lo < 0 || hi < lo || hi >= targetTy.width) {
      this.r.error("bad-slice", e.range, `bit range [${hi}:${lo}] lies outside bits(${targetTy.width})`);
      return errorTy;
    }
    return bits(hi - lo + 1);
  }

  private constantArg(e: A.Expr | undefined, what: string, range: A.Range): number | undefined {
    if (e === undefined) {
      this.r.error("bad-arguments", range, `missing ${what}`);
      return undefined;
    }
    const t = this.check(e);
    if (t.kind === "error") return undefined;
    if (t.kind !== "int") {
      this.r.error("not-constant", e.range, `${what} must be an integer constant`);
      return undefined;
    }
    return t.value > 1000n || t.value < -1000n ? 1001 : Number(t.value);
  }

  private call(e: A.CallExpr): Ty {
    const name = e.callee.text;
    if (BUILTINS.has(name) && !this.env.globals.has(name)) return this.builtin(e, name);
    const sym = this.env.globals.get(name);
    if (sym === undefined) {
      this.r.error("undefined-name", e.callee.range, `undefined predicate or function '${name}'`);
      return errorTy;
    }
    if (sym.kind !== "pred" && sym.kind !== "fn") {
      this.r.error("not-callable", e.callee.range, `'${name}' is ${aKind(sym)}, not a predicate or function`);
      return errorTy;
    }
    const sig = this.env.signature(sym);
    if (e.args.length !== sig.params.length) {
      this.r.error("bad-arguments", e.range, `${kindWord(sym)} ${name} takes ${sig.params.length} argument${sig.params.length === 1 ? "" : "s"}, not ${e.args.length}`);
      return errorTy;
    }
    let patchTime = true;
    for (let i = 0; i < e.args.length; i++) {
      const pt = sig.params[i];
      if (pt.kind === "bits") {
        this.checkBits(e.args[i], pt.width, `argument ${i + 1} of ${name}`);
        patchTime = false;
      } else this.check(e.args[i]);
    }
    this.env.model.resolutions.set(e, { kind: "global", symbol: sym });
    if (sig.result.kind === "bool") return boolTy(patchTime && sig.result.patchTime);
    return sig.result;
  }

  private builtin(e: A.CallExpr, name: string): Ty {
    if (name === "genmask") {
      if (e.args.length !== 2) {
        this.r.error("bad-arguments", e.range, `genmask(hi, lo) takes 2 arguments, not ${e.args.length}`);
        return errorTy;
      }
      const hi = this.constantArg(e.args[0], "the high bit of genmask", e.range);
      const lo = this.constantArg(e.args[1], "the low bit of genmask", e.range);
      if (hi === undefined || lo === undefined) return errorTy;
      if (lo < 0 || hi < lo || hi > 63) {
        this.r.error("bad-slice", e.range, `genmask(${hi}, ${lo}) is not a bit range within 64 bits`);
        return errorTy;
      }
      return { kind: "int", value: ((1n << BigInt(hi - lo + 1)) - 1n) << BigInt(lo) };
    }
    if (e.args.length !== 2) {
      this.r.error("bad-arguments", e.range, `${name}(value, width) takes 2 arguments, not ${e.args.length}`);
      return errorTy;
    }
    const value = this.check(e.args[0]);
    const width = this.constantArg(e.args[1], `the width of ${name}`, e.range);
    if (value.kind === "error" || width === undefined) return errorTy;
    if (width < 1 || width > 64) {
      this.r.error("bad-width", e.args[1].range, `width ${width} is outside 1..64`);
      return errorTy;
    }
    if (value.kind !== "bits") {
      this.r.error("type-mismatch", e.args[0].range, `${name} takes a bit-vector, not ${showTy(value)}`);
      return errorTy;
    }
    if (name === "trunc" ? width > value.width : width < value.width) {
      this.r.error("width-mismatch", e.range, name === "trunc" ? `trunc to ${width} bits cannot widen bits(${value.width})` : `${name} to ${width} bits cannot narrow bits(${value.width})`);
      return errorTy;
    }
    return bits(width);
  }

  private unary(e: A.UnaryExpr): Ty {
    const t = this.check(e.operand);
    if (t.kind === "error") return t;
    if (e.op === "!") {
      if (t.kind === "bool") return t;
      this.r.error("type-mismatch", e.range, `'!' needs a boolean, not ${showTy(t)}${t.kind === "bits" ? " (compare it with 0)" : ""}`);
      return errorTy;
    }
    if (t.kind === "bits") return bits(t.width);
    if (t.kind === "int") {
      if (e.op === "-") return { kind: "int", value: -t.value };
      this.r.error("needs-width", e.range, `'~' of an integer constant needs a width: write it on a bit-vector, e.g. ~zext(...)`);
      return errorTy;
    }
    this.r.error("type-mismatch", e.range, `'${e.op}' needs a bit-vector, not ${showTy(t)}`);
    return errorTy;
  }

  /** Checks both operands of a comparison or bitwise operation, letting enum members find their enum. */
  private operands(left: A.Expr, right: A.Expr): [Ty, Ty] {
    const bareLeft = left.kind === "name" && !this.env.locals.has(left.name.text) && !this.env.globals.has(left.name.text);
    if (bareLeft && !(right.kind === "name")) {
      const rt = this.check(right);
      const lt = this.check(left, rt.kind === "bits" ? rt.values : undefined);
      return [lt, rt];
    }
    const lt = this.check(left);
    const rt = this.check(right, lt.kind === "bits" ? lt.values : undefined);
    return [lt, rt];
  }

  private binary(e: A.BinaryExpr): Ty {
    if (e.op === "&&" || e.op === "||") {
      const l = this.checkBool(e.left);
      const rt = this.checkBool(e.right);
      if (l.kind !== "bool" || rt.kind !== "bool") return errorTy;
      return boolTy(l.patchTime && rt.patchTime);
    }
    if (e.op === "<<" || e.op === ">>") return this.shift(e);
    const [lt, rt] = this.operands(e.left, e.right);
    if (lt.kind === "error" || rt.kind === "error") return errorTy;
    const comparison = COMPARISONS.has(e.op);
    if (comparison && lt.kind === "bool" && rt.kind === "bool" && (e.op === "==" || e.op === "!=")) {
      return boolTy(lt.patchTime && rt.patchTime);
    }
    if (lt.kind === "int" && rt.kind === "int") {
      if (comparison) return boolTy(true);
      return { kind: "int", value: foldInt(e.op, lt.value, rt.value) };
    }
    const width = lt.kind === "bits" ? lt.width : rt.kind === "bits" ? rt.width : undefined;
    if (width === undefined) {
      const bad = lt.kind === "bits" || lt.kind === "int" ? e.right : e.left;
      this.coerce(bad, bad === e.left ? lt : rt, 64, `an operand of '${e.op}'`);
      return errorTy;
    }
    const l = this.coerce(e.left, lt, width, `the other operand of '${e.op}'`);
    const rr = this.coerce(e.right, rt, width, `the other operand of '${e.op}'`);
    if (l.kind === "error" || rr.kind === "error") return errorTy;
    return comparison ? boolTy(false) : bits(width);
  }

  private shift(e: A.BinaryExpr): Ty {
    const lt = this.check(e.left);
    const amount = this.constantArg(e.right, "a shift amount", e.range);
    if (lt.kind === "error" || amount === undefined) return errorTy;
    if (lt.kind === "int") {
      if (amount < 0 || amount > 63) {
        this.r.error("shift-out-of-range", e.right.range, `shift amount ${amount} is outside 0..63`);
        return errorTy;
      }
      return { kind: "int", value: e.op === "<<" ? lt.value << BigInt(amount) : lt.value >> BigInt(amount) };
    }
    if (lt.kind !== "bits") {
      this.r.error("type-mismatch", e.left.range, `'${e.op}' needs a bit-vector, not ${showTy(lt)}`);
      return errorTy;
    }
    if (amount < 0 || amount >= lt.width) {
      this.r.error("shift-out-of-range", e.right.range, `shift amount ${amount} is outside 0..${lt.width - 1} for bits(${lt.width})`);
      return errorTy;
    }
    return bits(lt.width);
  }

  private membership(e: A.InExpr): Ty {
    const ot = this.check(e.operand);
    if (ot.kind === "error") {
      if (e.set.kind === "setLiteral") e.set.elements.forEach((x) => this.check(x));
      return errorTy;
    }
    if (ot.kind !== "bits") {
      this.r.error("type-mismatch", e.operand.range, `'in' needs a bit-vector on its left, not ${showTy(ot)}`);
      return errorTy;
    }
    const elements: A.Expr[] = e.set.kind === "setLiteral" ? e.set.elements : [{ kind: "name", name: e.set.name, range: e.set.range }];
    let ok = true;
    const values: bigint[] = [];
    for (const x of elements) {
      const t = this.check(x, ot.values);
      if (t.kind === "family") {
        values.push(...t.values);
        if (t.enumSym.width !== ot.width) {
          this.r.error("width-mismatch", x.range, `${t.enumSym.name}.${t.name} has ${t.enumSym.width} bits but the value tested has ${ot.width}`);
          ok = false;
        }
        continue;
      }
      if (t.kind === "error") {
        ok = false;
        continue;
      }
      if (!this.isConstant(x)) {
        this.r.error("not-constant", x.range, "set elements must be constants");
        ok = false;
        continue;
      }
      if (this.coerce(x, t, ot.width, "a set element").kind === "error") ok = false;
      const v = this.constantValue(x);
      if (v !== undefined) values.push(v);
      else ok = false;
    }
    if (ok) this.env.model.setValues.set(e, values);
    return ok ? boolTy(false) : errorTy;
  }

  /** The value of a constant expression, where it is one. */
  constantValue(e: A.Expr): bigint | undefined {
    const t = this.env.model.types.get(e);
    if (t?.kind === "int") return t.value;
    const known = this.env.model.constants.get(e);
    if (known !== undefined) return known;
    if (e.kind === "int") return e.value;
    const res = this.env.model.resolutions.get(e);
    if (res?.kind === "enumValue") return res.value;
    if (res?.kind === "global" && res.symbol.kind === "const") return res.symbol.value;
    if (e.kind === "call" && (e.callee.text === "zext" || e.callee.text === "trunc") && e.args.length === 2) {
      const v = this.constantValue(e.args[0]);
      const w = this.env.model.types.get(e);
      return v === undefined || w?.kind !== "bits" ? undefined : v & ((1n << BigInt(w.width)) - 1n);
    }
    return undefined;
  }

  /** Literals, enum members, constants and operations on them. */
  isConstant(e: A.Expr): boolean {
    switch (e.kind) {
      case "int":
      case "bool":
        return true;
      case "name": {
        const res = this.env.model.resolutions.get(e);
        return res?.kind === "enumValue" || res?.kind === "family" || (res?.kind === "global" && res.symbol.kind === "const");
      }
      case "field":
      case "slice": {
        const res = this.env.model.resolutions.get(e);
        return res?.kind === "enumValue" || res?.kind === "family" || this.isConstant(e.target);
      }
      case "unary":
        return this.isConstant(e.operand);
      case "binary":
        return this.isConstant(e.left) && this.isConstant(e.right);
      case "call":
        return ["zext", "sext", "trunc", "genmask"].includes(e.callee.text) && e.args.every((a) => this.isConstant(a));
      default:
        return false;
    }
  }

  private capability(name: A.Name): boolean {
    const sym = this.env.globals.get(name.text);
    if (sym?.kind === "capability") return true;
    if (sym === undefined) this.r.error("unknown-capability", name.range, `unknown capability '${name.text}'`);
    else this.r.error("unknown-capability", name.range, `'${name.text}' is ${aKind(sym)}, not a capability`);
    return false;
  }

  private sysreg(name: A.Name): Extract<GlobalSymbol, { kind: "sysreg" }> | undefined {
    const sym = this.env.globals.get(name.text);
    if (sym?.kind === "sysreg") return sym;
    if (sym === undefined) this.r.error("unknown-register", name.range, `unknown system register '${name.text}'`);
    else this.r.error("unknown-register", name.range, `'${name.text}' is ${aKind(sym)}, not a system register`);
    return undefined;
  }

  private effectAllowed(e: A.Expr, what: string): boolean {
    if (this.env.mode === "handler") return true;
    const where = this.env.mode === "pure" ? "a predicate or function (they are pure)" : this.env.mode === "contract" ? "a contract (name the register to mean its value on entry)" : "a constant";
    this.r.error("effect-not-allowed", e.range, `${what} cannot appear in ${where}`);
    return false;
  }

  private read(e: A.ReadExpr): Ty {
    if (!this.effectAllowed(e, "a register read")) return errorTy;
    const base = this.sysreg(e.register.base);
    if (e.register.replacement !== undefined) {
      const alt = this.sysreg(e.register.replacement.name);
      this.capability(e.register.replacement.capability);
      if (base !== undefined && alt !== undefined && !sameShape(base.type, alt.type)) {
        this.r.error("width-mismatch", e.register.replacement.name.range, `${alt.name} (${showTy(alt.type)}) cannot stand in for ${base.name} (${showTy(base.type)})`);
      }
    }
    return base?.type ?? errorTy;
  }

  private at(e: A.AtExpr): Ty {
    if (!this.effectAllowed(e, "an address translation")) return errorTy;
    const ops = this.env.globals.get(AT_OPERATION_ENUM);
    if (ops?.kind !== "enum") {
      this.r.error("unknown-at-operation", e.op.base.range, `AT names a member of enum ${AT_OPERATION_ENUM}, which is not declared here: import the architecture file`);
    } else {
      for (const op of [e.op.base, e.op.replacement?.name]) {
        if (op !== undefined && !ops.members.has(op.text)) {
          this.r.error("unknown-at-operation", op.range, `unknown AT operation '${op.text}' (expected one of ${[...ops.members.keys()].join(", ")})`);
        } else if (op !== undefined && !AT_OPERATION_NAME.test(op.text)) {
          // The name is what the operation means to every backend and the machine: which stages,
          // whose permissions, which access (S1E1A only: no two-stage operation skips the check).
          this.r.error("unknown-at-operation", op.range, `'${op.text}' in enum ${AT_OPERATION_ENUM} does not name an AT operation: expected S1E<0|1><R|W>, S1E1A or S12E<0|1><R|W>`);
        }
      }
    }
    if (e.op.replacement !== undefined) this.capability(e.op.replacement.capability);
    this.checkBits(e.address, 64, "the address to translate");
    const par = this.env.globals.get("PAR_EL1");
    if (par?.kind !== "sysreg") {
      this.r.error("unknown-register", e.range, "AT writes PAR_EL1, which is not declared here: import the architecture file");
      return errorTy;
    }
    if (e.preserving !== undefined && e.preserving.text !== "PAR_EL1") {
      this.r.error("bad-preserve", e.preserving.range, `AT writes only PAR_EL1, so only PAR_EL1 can be preserved, not '${e.preserving.text}'`);
    }
    return par.type;
  }
}

function sameShape(a: Ty, b: Ty): boolean {
  return a.kind === "bits" && b.kind === "bits" && a.width === b.width && a.layout === b.layout;
}

function firstLevel(en: EnumSymbol, member: string): number {
  const levels = [...en.members.get(member)!.keys()].filter((k): k is number => k !== null);
  return levels.length ? Math.min(...levels.filter((l) => l >= 0)) : 0;
}

function foldInt(op: A.BinaryOp, a: bigint, b: bigint): bigint {
  switch (op) {
    case "|":
      return a | b;
    case "&":
      return a & b;
    case "^":
      return a ^ b;
    case "+":
      return a + b;
    case "-":
      return a - b;
    default:
      return 0n;
  }
}

function showInt(v: bigint): string {
  return v < 0n ? `-${showInt(-v)}` : v > 9999n ? `0x${v.toString(16)}` : String(v);
}
