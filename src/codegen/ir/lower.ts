// Lowering: a checked rule file to the IR. The checker's semantic model supplies every type
// and every name's meaning, so lowering never resolves a name itself; it only translates.
import { createHash } from "node:crypto";
import * as path from "node:path";
import type * as A from "../../parser/ast.ts";
import type { SemanticModel } from "../../parser/checker/model.ts";
import type { GlobalSymbol, RecordSymbol } from "../../parser/checker/symbols.ts";
import type { Ty } from "../../parser/checker/types.ts";
import { printExpr } from "../../parser/print.ts";
import type { CheckedFile, Workspace } from "../../parser/workspace.ts";
import type * as I from "./types.ts";
import { RECORD_BASE } from "./types.ts";
import { boolNodes } from "./walk.ts";

/** Bumped whenever generated output changes for the same input, so the input hash changes too. */
export const GENERATOR_VERSION = "faultc-codegen-2";

export class LoweringError extends Error {}

export function lowerFile(file: CheckedFile, ws: Workspace): I.IrModule {
  return new Lowering(file, ws).module();
}

/** The module name of a rule file: its base name without `.fault` (the build's NAME.*). */
export function moduleName(ruleFile: string): string {
  return path.basename(ruleFile).replace(/\.fault$/, "");
}

/** Every file the rule file depends on, itself included, sorted by path. */
export function importClosure(file: CheckedFile, ws: Workspace): string[] {
  const seen = new Set<string>();
  const visit = (p: string) => {
    if (seen.has(p)) return;
    seen.add(p);
    for (const d of ws.files.get(p)?.imports ?? []) visit(d);
  };
  visit(file.path);
  return [...seen].sort();
}

export function inputHash(file: CheckedFile, ws: Workspace): string {
  const h = createHash("sha256");
  h.update(GENERATOR_VERSION + "\0");
  for (const p of importClosure(file, ws)) h.update(`${p.split(path.sep).join("/")}\0${ws.sources.get(p)?.text ?? ""}\0`);
  return h.digest("hex");
}

class Lowering {
  private model: SemanticModel;
  private readonly globals: Map<string, GlobalSymbol>;
  private currentRule: string | undefined;
  private capabilities = new Set<string>();
  private sysregs = new Set<string>();
  private boolLocals = new Set<string>();

  constructor(
    private readonly file: CheckedFile,
    private readonly ws: Workspace,
  ) {
    this.model = file.model;
    this.globals = file.globals;
  }

  module(): I.IrModule {
    const decls = this.file.ast.decls;
    const callables = [...this.globals.values()].filter((s): s is Extract<GlobalSymbol, { kind: "pred" | "fn" }> => s.kind === "pred" || s.kind === "fn");
    // Imported predicates and functions are lowered too (in the importing file's module), in a stable order.
    callables.sort((a, b) => (a.file === b.file ? a.decl.range.start.offset - b.decl.range.start.offset : a.file < b.file ? -1 : 1));
    const functions: I.IrFunction[] = [];
    const predicates: I.IrPredicate[] = [];
    for (const c of callables) {
      const params = c.decl.params.map((p) => ({ id: p.name.text, width: this.widthOfType(this.paramType(c, p)) }));
      this.boolLocals = new Set();
      this.model = this.modelOf(c.file);
      if (c.kind === "fn") {
        const width = params.length >= 0 ? this.fnWidth(c) : 0;
        functions.push({ name: c.name, params, width, body: this.bv(c.decl.body, width), origin: this.origin(c.decl, c.file) });
      } else {
        predicates.push({ name: c.name, params, body: this.bool(c.decl.body), origin: this.origin(c.decl, c.file) });
      }
    }
    this.model = this.file.model;
    const handlers = decls.filter((d): d is A.HandlerDecl => d.kind === "handler").map((h) => this.handler(h));
    const exitCodes = [...this.globals.values()]
      .filter((s): s is Extract<GlobalSymbol, { kind: "exitcode" }> => s.kind === "exitcode")
      .map((s) => ({ name: s.name, value: s.value }))
      .sort((a, b) => (a.name < b.name ? -1 : 1));
    const externals = [...this.globals.values()].filter((s) => s.kind === "external").map((s) => s.name).sort();
    return {
      file: this.file.path,
      name: moduleName(this.file.path),
      inputHash: inputHash(this.file, this.ws),
      sources: decls.filter((d): d is A.SourceDecl => d.kind === "source").map((d) => d.text.value),
      functions,
      predicates,
      handlers,
      bindings: decls.filter((d): d is A.BindingDecl => d.kind === "binding").map((b) => this.binding(b)),
      exitCodes,
      externals,
    };
  }

  // ------------------------------------------------------------ helpers

  /** Declarations are typed in the model of the file that declares them. */
  private modelOf(file: string): SemanticModel {
    const m = file === this.file.path ? this.file.model : this.ws.files.get(file)?.model;
    if (m === undefined) throw new LoweringError(`internal: ${file} was not checked`);
    return m;
  }

  private origin(node: { range: A.Range }, file = this.file.path): I.Origin {
    return { file, line: node.range.start.line, column: node.range.start.column, rule: this.currentRule };
  }

  private ty(e: A.Expr): Ty {
    const t = this.model.types.get(e);
    if (t === undefined) throw new LoweringError(`internal: no type for '${printExpr(e)}'`);
    return t;
  }

  private widthOfType(t: Ty): number {
    if (t.kind !== "bits") throw new LoweringError(`internal: expected a bit-vector type, found ${t.kind}`);
    return t.width;
  }

  private paramType(c: Extract<GlobalSymbol, { kind: "pred" | "fn" }>, p: A.Param): Ty {
    if (p.type.kind === "bitsType") return { kind: "bits", width: p.type.width };
    const sym = this.globals.get(p.type.name.text);
    if (sym?.kind === "layout" || sym?.kind === "enum") return { kind: "bits", width: sym.width };
    throw new LoweringError(`internal: unresolved parameter type in ${c.name}`);
  }

  private fnWidth(c: Extract<GlobalSymbol, { kind: "fn" }>): number {
    const r = c.decl.result;
    if (r.kind === "bitsType") return r.width;
    const sym = this.globals.get(r.name.text);
    if (sym?.kind === "layout" || sym?.kind === "enum") return sym.width;
    throw new LoweringError(`internal: unresolved result type of ${c.name}`);
  }

  private record(sym: RecordSymbol): I.IrRecord {
    let offset = RECORD_BASE;
    const fields: I.IrRecordField[] = [];
    for (const f of sym.decl.fields) {
      const field = sym.fields.get(f.name.text)!;
      const width = this.widthOfType(field.type);
      const size: 4 | 8 = width <= 32 ? 4 : 8;
      offset = Math.ceil(offset / size) * size;
      fields.push({ name: field.name, width, offset, size });
      offset += size;
    }
    return { name: sym.name, fields };
  }

  // ------------------------------------------------------------ expressions

  /** A bit-vector expression of `width` bits (integer constants take that width). */
  bv(e: A.Expr, width?: number): I.BvExpr {
    const t = this.ty(e);
    if (t.kind === "int") {
      if (width === undefined) throw new LoweringError(`internal: constant '${printExpr(e)}' without a width`);
      return { op: "const", width, value: t.value };
    }
    const w = this.widthOfType(t);
    const known = this.model.constants.get(e);
    if (known !== undefined) return { op: "const", width: w, value: known };
    const res = this.model.resolutions.get(e);
    if (res?.kind === "enumValue") return { op: "const", width: w, value: res.value };
    switch (e.kind) {
      case "int":
        return { op: "const", width: w, value: e.value };
      case "name": {
        if (res?.kind === "local") return { op: "var", width: w, id: e.name.text };
        if (res?.kind === "global" && res.symbol.kind === "const" && res.symbol.value !== undefined) return { op: "const", width: w, value: res.symbol.value };
        if (res?.kind === "sysregInput") return { op: "input", width: w, reg: res.symbol.name };
        if (res?.kind === "recordField") return { op: "field", width: w, name: e.name.text };
        break;
      }
      case "field": {
        const tt = this.ty(e.target);
        if (tt.kind === "bits" && tt.layout !== undefined) {
          const f = tt.layout.fields.get(e.field.text)!;
          return { op: "extract", width: w, a: this.bv(e.target), lo: f.lo };
        }
        break;
      }
      case "slice": {
        const lo = e.lo?.value ?? e.hi.value;
        return { op: "extract", width: w, a: this.bv(e.target), lo };
      }
      case "call": {
        const name = e.callee.text;
        if (res?.kind === "global" && res.symbol.kind === "fn") {
          const sym = res.symbol;
          return { op: "call", width: w, fn: name, args: e.args.map((a, i) => this.bv(a, this.widthOfType(this.paramType(sym, sym.decl.params[i])))) };
        }
        if (name === "zext" || name === "sext") return { op: name, width: w, a: this.bv(e.args[0]) };
        if (name === "trunc") return { op: "extract", width: w, a: this.bv(e.args[0]), lo: 0 };
        if (name === "genmask") {
          const [hi, lo] = e.args.map((a) => this.ty(a));
          if (hi?.kind === "int" && lo?.kind === "int") {
            return { op: "const", width: w, value: ((1n << (hi.value - lo.value + 1n)) - 1n) << lo.value };
          }
        }
        break;
      }
      case "unary":
        return { op: e.op === "~" ? "not" : "neg", width: w, a: this.bv(e.operand, w) };
      case "binary": {
        if (e.op === "<<" || e.op === ">>") {
          const amount = this.ty(e.right);
          if (amount.kind !== "int") break;
          return { op: e.op === "<<" ? "shl" : "lshr", width: w, a: this.bv(e.left, w), amount: Number(amount.value) };
        }
        const ops: Partial<Record<A.BinaryOp, "and" | "or" | "xor" | "add" | "sub">> = { "&": "and", "|": "or", "^": "xor", "+": "add", "-": "sub" };
        const op = ops[e.op];
        if (op !== undefined) return { op, width: w, a: this.bv(e.left, w), b: this.bv(e.right, w) };
        break;
      }
      case "read":
        return { op: "sysreg", width: w, reg: this.sysregChoice(e.register) };
      default:
        break;
    }
    throw new LoweringError(`internal: cannot lower '${printExpr(e)}' as a bit-vector`);
  }

  private sysregChoice(a: A.Alternative): I.SysregChoice {
    this.sysregs.add(a.base.text);
    if (a.replacement === undefined) return { base: a.base.text, alternative: undefined };
    this.sysregs.add(a.replacement.name.text);
    this.capabilities.add(a.replacement.capability.text);
    return { base: a.base.text, alternative: { capability: a.replacement.capability.text, register: a.replacement.name.text } };
  }

  /** The width at which two operands meet: that of whichever has one. */
  private meetWidth(a: A.Expr, b: A.Expr): number {
    const ta = this.ty(a);
    const tb = this.ty(b);
    if (ta.kind === "bits") return ta.width;
    if (tb.kind === "bits") return tb.width;
    throw new LoweringError(`internal: '${printExpr(a)}' and '${printExpr(b)}' have no width`);
  }

  bool(e: A.Expr): I.BoolExpr {
    switch (e.kind) {
      case "bool":
        return { op: e.value ? "true" : "false" };
      case "name": {
        const res = this.model.resolutions.get(e);
        if (res?.kind === "global" && res.symbol.kind === "capability") {
          this.capabilities.add(res.symbol.name);
          return { op: "cap", name: res.symbol.name };
        }
        if (res?.kind === "local" && this.boolLocals.has(e.name.text)) return { op: "bvar", id: e.name.text };
        break;
      }
      case "unary":
        if (e.op === "!") return { op: "not", a: this.bool(e.operand) };
        break;
      case "binary": {
        if (e.op === "&&" || e.op === "||") return { op: e.op === "&&" ? "and" : "or", a: this.bool(e.left), b: this.bool(e.right) };
        const cmps: Partial<Record<A.BinaryOp, I.CmpOp>> = { "==": "eq", "!=": "ne", "<": "ult", "<=": "ule", ">": "ugt", ">=": "uge" };
        const cmp = cmps[e.op];
        if (cmp === undefined) break;
        const lt = this.ty(e.left);
        if (lt.kind === "bool") {
          const a = this.bool(e.left);
          const b = this.bool(e.right);
          const same: I.BoolExpr = { op: "or", a: { op: "and", a, b }, b: { op: "and", a: { op: "not", a }, b: { op: "not", a: b } } };
          return cmp === "eq" ? same : { op: "not", a: same };
        }
        const w = this.meetWidth(e.left, e.right);
        return { op: "cmp", cmp, a: this.bv(e.left, w), b: this.bv(e.right, w) };
      }
      case "in": {
        const values = this.model.setValues.get(e);
        if (values === undefined) break;
        const a = this.bv(e.operand);
        const sorted = [...new Set(values)].sort((x, y) => (x < y ? -1 : x > y ? 1 : 0));
        const test: I.BoolExpr = { op: "in", a, values: sorted };
        return e.negated ? { op: "not", a: test } : test;
      }
      case "call": {
        const res = this.model.resolutions.get(e);
        if (res?.kind === "global" && res.symbol.kind === "pred") {
          const sym = res.symbol;
          return { op: "pred", name: sym.name, args: e.args.map((a, i) => this.bv(a, this.widthOfType(this.paramType(sym, sym.decl.params[i])))) };
        }
        break;
      }
      default:
        break;
    }
    throw new LoweringError(`internal: cannot lower '${printExpr(e)}' as a condition`);
  }

  // ------------------------------------------------------------ handlers

  private handler(h: A.HandlerDecl): I.IrHandler {
    this.capabilities = new Set();
    this.sysregs = new Set();
    this.boolLocals = new Set();
    this.currentRule = undefined;
    const recSym = this.globals.get(h.record.text);
    if (recSym?.kind !== "recordDecl") throw new LoweringError(`internal: handler ${h.name.text} has no record`);
    const body = this.block(h.body);
    // Predicates and functions the handler calls may mention capabilities too.
    for (const c of this.calledCapabilities(body)) this.capabilities.add(c);
    const contractDecl = this.file.ast.decls.find((d): d is A.ContractDecl => d.kind === "contract" && d.handler.text === h.name.text);
    return {
      name: h.name.text,
      record: this.record(recSym),
      body,
      contract: contractDecl === undefined ? undefined : this.contract(contractDecl),
      capabilities: [...this.capabilities].sort(),
      sysregs: [...this.sysregs].sort(),
      origin: this.origin(h),
    };
  }

  private calledCapabilities(body: I.Block): string[] {
    const found = new Set<string>();
    const preds = new Map<string, A.PredDecl | A.FnDecl>();
    const owner = new Map<A.PredDecl | A.FnDecl, SemanticModel>();
    for (const s of this.globals.values()) {
      if (s.kind === "pred" || s.kind === "fn") {
        preds.set(s.name, s.decl);
        owner.set(s.decl, this.modelOf(s.file));
      }
    }
    let model = this.model;
    const seen = new Set<string>();
    const visitAst = (e: A.Expr): void => {
      if (e.kind === "name") {
        const res = model.resolutions.get(e);
        if (res?.kind === "global" && res.symbol.kind === "capability") found.add(res.symbol.name);
      } else if (e.kind === "call") {
        const d = preds.get(e.callee.text);
        if (d !== undefined && !seen.has(d.name.text)) {
          seen.add(d.name.text);
          const outer = model;
          model = owner.get(d)!;
          visitAst(d.body);
          model = outer;
        }
        e.args.forEach(visitAst);
      } else if (e.kind === "binary") {
        visitAst(e.left);
        visitAst(e.right);
      } else if (e.kind === "unary") visitAst(e.operand);
      else if (e.kind === "field" || e.kind === "slice") visitAst(e.target);
      else if (e.kind === "in") visitAst(e.operand);
    };
    const visitBool = (b: I.BoolExpr): void => {
      for (const n of boolNodes(b)) {
        if (n.op !== "pred") continue;
        const d = preds.get(n.name);
        if (d !== undefined && !seen.has(n.name)) {
          seen.add(n.name);
          model = owner.get(d)!;
          visitAst(d.body);
          model = this.model;
        }
      }
    };
    const visitBlock = (blk: I.Block): void => {
      for (const st of blk.stmts) if (st.kind === "letBool") visitBool(st.value);
      if (blk.end.kind === "decide") {
        for (const r of blk.end.rules) {
          if (r.guard !== undefined) visitBool(r.guard);
          visitBlock(r.body);
        }
      }
    };
    visitBlock(body);
    return [...found];
  }

  private block(stmts: A.Stmt[]): I.Block {
    const out: I.Stmt[] = [];
    for (const s of stmts) {
      const origin = this.origin(s);
      switch (s.kind) {
        case "let":
          if (s.value.kind === "at") {
            const a = s.value;
            const op: I.AtChoice = {
              base: a.op.base.text as I.AtOp,
              alternative: a.op.replacement ? { capability: a.op.replacement.capability.text, op: a.op.replacement.name.text as I.AtOp } : undefined,
            };
            if (op.alternative) this.capabilities.add(op.alternative.capability);
            this.sysregs.add("PAR_EL1");
            out.push({ kind: "at", id: s.name.text, op, address: this.bv(a.address, 64), preserve: a.preserving !== undefined, origin });
          } else if (this.ty(s.value).kind === "bool") {
            this.boolLocals.add(s.name.text);
            out.push({ kind: "letBool", id: s.name.text, value: this.bool(s.value), origin });
          } else {
            const declared = s.type === undefined ? undefined : this.letWidth(s);
            out.push({ kind: "let", id: s.name.text, value: this.bv(s.value, declared), origin });
          }
          break;
        case "record": {
          const rec = this.model.types.get(s.value);
          const width = rec?.kind === "bits" ? rec.width : undefined;
          out.push({ kind: "record", field: s.field.text, value: this.bv(s.value, width ?? this.recordFieldWidth(s.field.text)), origin });
          break;
        }
        case "outcome":
          return { stmts: out, end: this.outcome(s.outcome, origin) };
        case "rules": {
          const outer = this.currentRule;
          const rules = s.rules.map((r) => {
            this.currentRule = r.name.text;
            const ir: I.IrRule = { name: r.name.text, guard: r.guard === undefined ? undefined : this.bool(r.guard), body: this.block(r.body), origin: this.origin(r) };
            this.currentRule = outer;
            return ir;
          });
          return { stmts: out, end: { kind: "decide", rules, exhaustive: true, origin } };
        }
      }
    }
    throw new LoweringError("internal: a block without an outcome passed the checker");
  }

  private letWidth(s: A.LetStmt): number {
    const t = this.model.types.get(s.value);
    if (t?.kind === "bits") return t.width;
    if (s.type?.kind === "bitsType") return s.type.width;
    const sym = s.type?.kind === "namedType" ? this.globals.get(s.type.name.text) : undefined;
    if (sym?.kind === "layout" || sym?.kind === "enum") return sym.width;
    throw new LoweringError(`internal: let ${s.name.text} has no width`);
  }

  private recordFieldWidth(name: string): number {
    for (const s of this.globals.values()) {
      if (s.kind === "recordDecl" && s.fields.has(name)) return this.widthOfType(s.fields.get(name)!.type);
    }
    throw new LoweringError(`internal: unknown record field ${name}`);
  }

  private outcome(o: A.Outcome, origin: I.Origin): I.Terminator {
    if (o.kind === "retry") return { kind: "retry", origin };
    if (o.kind === "handoff") return { kind: "handoff", target: o.target.text, origin };
    const sym = this.globals.get(o.code.text);
    if (sym?.kind !== "exitcode") throw new LoweringError(`internal: unknown exit code ${o.code.text}`);
    return { kind: "exit", code: sym.value, name: sym.name, origin };
  }

  private irOutcome(o: A.Outcome): I.IrOutcome {
    const t = this.outcome(o, { file: this.file.path, line: 0, column: 0, rule: undefined });
    if (t.kind === "exit") return { kind: "exit", code: t.code, name: t.name };
    if (t.kind === "handoff") return { kind: "handoff", target: t.target };
    return { kind: "retry" };
  }

  private binding(d: A.BindingDecl): I.IrBinding {
    const kernel = d.items.find((i): i is A.BindingKernel => i.kind === "kernel");
    const when = d.items.find((i): i is A.BindingWhen => i.kind === "when");
    const record = d.items.find((i): i is A.BindingRecordArg => i.kind === "recordArg");
    const ret = d.items.find((i): i is A.BindingReturn => i.kind === "return");
    if (ret === undefined) throw new Error(`internal: binding ${d.symbol.text} passed the checker without a return`);
    const regOf = (n: A.Name) => Number(n.text.slice(1));
    const args: I.IrBindingArg[] = d.items
      .flatMap((i): I.IrBindingArg[] =>
        i.kind === "valueArg" ? [{ reg: regOf(i.reg), kind: "value", value: this.bv(i.value, 64) }] : i.kind === "recordArg" ? [{ reg: regOf(i.reg), kind: "record" }] : [],
      )
      .sort((a, b) => a.reg - b.reg);
    return {
      symbol: d.symbol.text,
      handler: d.handler.text,
      kernel: kernel?.release.value,
      when: when === undefined ? undefined : this.bool(when.condition),
      args,
      record: record === undefined ? undefined : { struct: record.struct.text, fields: record.fields.map((f) => f.text) },
      returns: { width: ret.reg.text.startsWith("w") ? 32 : 64, cases: ret.cases.map((c) => ({ value: c.value.value, outcome: this.irOutcome(c.outcome) })) },
      origin: this.origin(d, this.file.path),
    };
  }

  private contract(d: A.ContractDecl): I.IrContract {
    const text = (this.ws.sources.get(this.file.path)?.text ?? "").slice(d.range.start.offset, d.range.end.offset);
    return {
      assumptions: d.assumptions.map((a) => this.bool(a)),
      clauses: d.clauses.map((c) => ({
        outcome: this.irOutcome(c.outcome),
        fields: c.fields.map((f) => ({ name: f.field.text, when: f.condition === undefined ? undefined : this.bool(f.condition) })),
      })),
      text,
    };
  }
}
