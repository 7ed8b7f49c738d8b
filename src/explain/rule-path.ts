// The decision path of a rule file's handler on one scenario: the handler's IR run on the machine
// model by the IR's own executor (codegen/ir/exec.ts), as a FunctionTarget runs the generated
// variant, and its events turned into what a reader follows: each rule tried with where it is
// written, its guard's value, the atoms that decided it and the register fields they read, each
// statement with its value, and the outcome. Nothing here imports node: the page runs it too.
import { execHandler, type AtomTrace, type ExecEvent, type HandlerExec } from "../codegen/ir/exec.ts";
import type { IrFrame } from "../codegen/ir/eval.ts";
import type * as I from "../codegen/ir/types.ts";
import { bvOperands } from "../codegen/ir/walk.ts";
import { FunctionTarget } from "../runtime/run/function-target.ts";
import type { RecordLayout, RunResult } from "../runtime/run/types.ts";
import type { Scenario } from "../runtime/scenario/scenario.ts";
import type { Bits } from "../runtime/semantics/concrete-domain.ts";
import { boolText, outcomeText, stmtText } from "../graph/expr-text.ts";
import type { DecodedRegister } from "../decode/types.ts";

/** A field of a register an atom read: REG.NAME (or REG[msb:lsb] where no field has that range). */
export interface FieldRead {
  readonly register: string;
  readonly name: string;
  readonly msb: number;
  readonly lsb: number;
  readonly value: bigint;
  readonly meaning?: string;
}

export interface AtomStep {
  /** The atom as the IR reads (`esr[31:26] in {0x20, 0x24, 0x34}`); inside a predicate, `in NAME`. */
  readonly text: string;
  readonly value: boolean;
  /** The predicates and functions it was evaluated in, outermost first. */
  readonly within: readonly string[];
  readonly fields: readonly FieldRead[];
}

export interface Place {
  readonly file: string;
  readonly line: number;
  readonly column: number;
}

export type PathStep =
  | {
      readonly kind: "rule";
      readonly rule: string;
      readonly at: Place;
      readonly depth: number;
      /** The guard as the IR reads, or undefined for `otherwise`. */
      readonly guard: string | undefined;
      /** true/false: the guard's value; "otherwise"; "last": the rules before it cover every other input. */
      readonly value: boolean | "otherwise" | "last";
      readonly entered: boolean;
      readonly atoms: readonly AtomStep[];
    }
  | { readonly kind: "stmt"; readonly text: string; readonly at: Place; readonly depth: number; readonly value: bigint | boolean; readonly register?: string }
  | { readonly kind: "outcome"; readonly text: string; readonly at: Place; readonly depth: number };

export interface RulePath {
  readonly handler: string;
  readonly steps: readonly PathStep[];
  readonly run: RunResult;
}

function place(o: I.Origin): Place {
  return { file: o.file, line: o.line, column: o.column };
}

/** A register's value decoded into its fields, for naming the bits a guard reads; undefined for a register it does not know. */
export type RegisterDecoder = (register: string, value: bigint) => DecodedRegister | undefined;

/** Runs handler `h` of `m` on `scenario` through the IR executor and gives its path and result. */
export function rulePath(m: I.IrModule, h: I.IrHandler, scenario: Scenario, layout: RecordLayout, decode: RegisterDecoder): RulePath {
  let exec: HandlerExec<Bits, boolean> | undefined;
  const target = new FunctionTarget(`${m.file}:${h.name}`, layout, h.origin, (api) => {
    exec = execHandler(m, h, api);
    return exec.outcome;
  });
  const run = target.run(scenario);
  if (exec === undefined) throw new Error("internal: the handler did not run");
  const cx: Context = { m, h, exec, decode };
  return { handler: h.name, run, steps: exec.events.map((e) => step(e, cx)) };
}

/** What naming a field needs: the module's functions, the handler's statements, and the run's values. */
interface Context {
  readonly m: I.IrModule;
  readonly h: I.IrHandler;
  readonly exec: HandlerExec<Bits, boolean>;
  readonly decode: RegisterDecoder;
}

function step(e: ExecEvent<Bits, boolean>, cx: Context): PathStep {
  switch (e.kind) {
    case "rule":
      return {
        kind: "rule",
        rule: e.rule.name,
        at: place(e.rule.origin),
        depth: e.depth,
        guard: e.rule.guard === undefined ? undefined : boolText(e.rule.guard),
        value: e.guard,
        entered: e.entered,
        atoms: e.atoms.map((a) => atomStep(a, cx)),
      };
    case "stmt":
      return {
        kind: "stmt",
        text: stmtText(e.stmt),
        at: place(e.stmt.origin),
        depth: e.depth,
        value: typeof e.value === "boolean" ? e.value : e.value.value,
        ...(e.register !== undefined ? { register: e.register } : {}),
      };
    case "end":
      return { kind: "outcome", text: outcomeText(e.end.kind === "exit" ? { kind: "exit", code: e.end.code, name: e.end.name } : e.end.kind === "retry" ? { kind: "retry" } : { kind: "handoff", target: e.end.target }), at: place(e.end.origin), depth: e.depth };
  }
}

function frames(f: IrFrame | undefined): string[] {
  const out: string[] = [];
  for (let x = f; x !== undefined; x = x.parent) out.unshift(x.callee);
  return out;
}

function atomStep(a: AtomTrace<Bits, boolean>, cx: Context): AtomStep {
  const fields: FieldRead[] = [];
  // A predicate's own atoms come before it with their fields; the call itself names none.
  const operands: I.BvExpr[] = a.atom.op === "cmp" ? [a.atom.a, a.atom.b] : a.atom.op === "in" ? [a.atom.a] : [];
  for (const o of operands) collectFields(o, a.frame, cx, fields, new Set());
  return { text: boolText(a.atom), value: a.value, within: frames(a.frame), fields: dedupe(fields) };
}

function dedupe(fields: FieldRead[]): FieldRead[] {
  const seen = new Set<string>();
  return fields.filter((f) => {
    const key = `${f.register}.${f.msb}.${f.lsb}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** The register (and its value when read) that a variable or argument holds, following calls' arguments back to the handler's statements. */
function registerOf(e: I.BvExpr, frame: IrFrame | undefined, cx: Context, seen: Set<string>): { register: string; value: bigint } | undefined {
  if (e.op === "var") {
    if (frame !== undefined) {
      const i = frame.params.findIndex((p) => p.id === e.id);
      return i < 0 ? undefined : registerOf(frame.args[i], frame.parent, cx, seen);
    }
    if (seen.has(e.id)) return undefined;
    seen.add(e.id);
    const v = cx.exec.vars.get(e.id);
    const def = definition(cx.h.body, e.id);
    if (v === undefined || def === undefined) return undefined;
    if (def.kind === "at") return { register: "PAR_EL1", value: v.value };
    if (def.kind === "let" && def.value.op === "sysreg") {
      const read = cx.exec.events.find((x) => x.kind === "stmt" && x.stmt === def);
      return { register: (read?.kind === "stmt" ? read.register : undefined) ?? def.value.reg.base, value: v.value };
    }
    if (def.kind === "let") return registerOf(def.value, undefined, cx, seen);
    return undefined;
  }
  if ((e.op === "zext" || e.op === "sext") && e.a.width === e.width) return registerOf(e.a, frame, cx, seen);
  return undefined;
}

function definition(b: I.Block, id: string): Extract<I.Stmt, { kind: "let" | "at" }> | undefined {
  for (const s of b.stmts) if ((s.kind === "let" || s.kind === "at") && s.id === id) return s;
  if (b.end.kind === "decide") {
    for (const r of b.end.rules) {
      const d = definition(r.body, id);
      if (d !== undefined) return d;
    }
  }
  return undefined;
}

function collectFields(e: I.BvExpr, frame: IrFrame | undefined, cx: Context, out: FieldRead[], seen: Set<string>): void {
  if (e.op === "extract") {
    const reg = registerOf(e.a, frame, cx, new Set(seen));
    if (reg !== undefined) {
      const msb = e.lo + e.width - 1;
      const decoded = cx.decode(reg.register, reg.value);
      const f = decoded?.fields.find((x) => x.msb === msb && x.lsb === e.lo);
      const value = (reg.value >> BigInt(e.lo)) & ((1n << BigInt(e.width)) - 1n);
      out.push({ register: reg.register, name: f?.name ?? `[${msb === e.lo ? msb : `${msb}:${e.lo}`}]`, msb, lsb: e.lo, value, ...(f?.meaning !== undefined ? { meaning: f.meaning } : {}) });
      return;
    }
  }
  if (e.op === "var") {
    // A whole register compared: the register itself.
    const reg = registerOf(e, frame, cx, new Set(seen));
    if (reg !== undefined) out.push({ register: reg.register, name: reg.register, msb: e.width - 1, lsb: 0, value: reg.value });
    return;
  }
  if (e.op === "call") {
    // A function of fields (esr_class(esr) = esr.EC): the fields its body reads of its arguments.
    const f = cx.m.functions.find((x) => x.name === e.fn);
    if (f !== undefined) collectFields(f.body, { callee: f.name, params: f.params, args: e.args, parent: frame }, cx, out, seen);
    return;
  }
  for (const x of bvOperands(e)) collectFields(x, frame, cx, out, seen);
}
