// Checks of `binding` declarations: a compiled function's contract with a handler. What a binding
// says must be something the object side can do exactly: registers it can set (x0..x7 at a call,
// AAPCS64), a value over the trap's inputs (as in a contract's `assume`), the record behind one
// pointer with fields of the handler's record, and a return register whose every listed value
// maps to one of the handler's outcomes. Agreement with the object itself (the struct's offsets,
// the symbol) is checked when the object is opened, from its build.
import type * as A from "../ast.ts";
import type { ExprChecker } from "./expressions.ts";
import type { Reporter } from "./reporter.ts";
import { aKind, type GlobalSymbol, type RecordSymbol } from "./symbols.ts";

/** What a binding check needs of the checker it runs in. */
export interface BindingContext {
  readonly globals: Map<string, GlobalSymbol>;
  readonly r: Reporter;
  readonly file: A.RuleFile;
  /** An expression checker for values over the inputs (a contract's `assume`). */
  inputs(): ExprChecker;
  checkOutcome(o: A.Outcome): void;
}

/** The argument registers of a call: x0..x7 (64 bits) or w0..w7 (32). */
export function argumentRegister(name: string): { index: number; width: 32 | 64 } | undefined {
  const m = /^([xw])([0-7])$/.exec(name);
  return m === null ? undefined : { index: Number(m[2]), width: m[1] === "x" ? 64 : 32 };
}

export function checkBinding(d: A.BindingDecl, cx: BindingContext): void {
  const { r } = cx;
  if (d.forWord.text !== "for") r.error("bad-binding", d.forWord.range, `expected 'for' between the function and the handler, not '${d.forWord.text}'`);
  const h = cx.globals.get(d.handler.text);
  let record: RecordSymbol | undefined;
  if (h === undefined) r.error("undefined-name", d.handler.range, `unknown handler '${d.handler.text}'`);
  else if (h.kind !== "handler") r.error("not-a-handler", d.handler.range, `'${d.handler.text}' is ${aKind(h)}, not a handler`);
  else {
    const recSym = cx.globals.get(h.decl.record.text);
    record = recSym?.kind === "recordDecl" ? recSym : undefined;
  }

  const once = new Map<string, A.Name | A.BindingItem>();
  const onlyOnce = (key: string, what: string, at: A.BindingItem): void => {
    const prior = once.get(key);
    if (prior !== undefined) r.error("duplicate-name", at.range, `the binding already says ${what}`, [{ message: "said here", file: cx.file.path, range: prior.range }]);
    else once.set(key, at);
  };
  const registers = new Map<number, A.Name>();
  const useRegister = (reg: A.Name, item: "argument" | "return"): { index: number; width: 32 | 64 } | undefined => {
    const a = argumentRegister(reg.text);
    if (a === undefined) {
      r.error("bad-binding", reg.range, `'${reg.text}' is not ${item === "argument" ? "an argument" : "a return"} register: use x0..x7 (64 bits)${item === "return" ? " or w0..w7 (32 bits)" : ""}`);
      return undefined;
    }
    if (item === "argument") {
      if (a.width !== 64) r.error("bad-binding", reg.range, `an argument register is set whole: write x${a.index}, not ${reg.text}`);
      const prior = registers.get(a.index);
      if (prior !== undefined) r.error("duplicate-name", reg.range, `x${a.index} is already set`, [{ message: "set here", file: cx.file.path, range: prior.range }]);
      else registers.set(a.index, reg);
    } else if (a.index !== 0) r.error("bad-binding", reg.range, `a function returns its value in x0 (w0 for 32 bits), not ${reg.text}`);
    return a;
  };

  let hasReturn = false;
  for (const item of d.items) {
    switch (item.kind) {
      case "kernel":
        if (item.word.text !== "kernel") {
          r.error("bad-binding", item.word.range, `unknown binding item '${item.word.text}': expected kernel, when, xN = ... or return`);
          break;
        }
        onlyOnce("kernel", "which kernel release it binds", item);
        if (!/^[0-9]+(\.[0-9]+)*$/.test(item.release.value)) r.error("bad-binding", item.release.range, `a kernel release is numbers separated by dots, such as "6.12", not "${item.release.value}"`);
        break;
      case "when":
        onlyOnce("when", "where the function is called", item);
        cx.inputs().checkBool(item.condition);
        break;
      case "valueArg":
        useRegister(item.reg, "argument");
        cx.inputs().checkBits(item.value, 64, item.reg.text);
        break;
      case "recordArg": {
        useRegister(item.reg, "argument");
        onlyOnce("record", "where the record is", item);
        const seen = new Map<string, A.Name>();
        if (item.fields.length === 0) r.error("bad-binding", item.struct.range, `name the record fields the function writes into struct ${item.struct.text}`);
        for (const f of item.fields) {
          const prior = seen.get(f.text);
          if (prior !== undefined) r.error("duplicate-name", f.range, `field ${f.text} is already listed`, [{ message: "listed here", file: cx.file.path, range: prior.range }]);
          seen.set(f.text, f);
          if (record !== undefined && !record.fields.has(f.text)) r.error("unknown-field", f.range, `record ${record.name} has no field '${f.text}'`);
        }
        break;
      }
      case "return": {
        if (item.word.text !== "return") r.error("bad-binding", item.word.range, `unknown binding item '${item.word.text}': expected kernel, when, xN = ... or return`);
        onlyOnce("return", "what the return value means", item);
        hasReturn = true;
        const a = useRegister(item.reg, "return");
        const values = new Map<bigint, A.BindingReturnCase>();
        if (item.cases.length === 0) r.error("bad-binding", item.range, "say what each return value means: `VALUE: OUTCOME;`");
        for (const c of item.cases) {
          if (a !== undefined && c.value.value >= 1n << BigInt(a.width)) r.error("value-too-wide", c.value.range, `${c.value.text} does not fit in ${item.reg.text}, which has ${a.width} bits`);
          const prior = values.get(c.value.value);
          if (prior !== undefined) r.error("duplicate-name", c.value.range, `the return value ${c.value.text} already has an outcome`, [{ message: "here", file: cx.file.path, range: prior.range }]);
          values.set(c.value.value, c);
          cx.checkOutcome(c.outcome);
        }
        break;
      }
    }
  }
  if (!hasReturn) r.error("bad-binding", d.symbol.range, `binding ${d.symbol.text} does not say what its return value means: add \`return w0 { 1: exit ...; 0: retry; }\``);
}

/** Two bindings of one function for one kernel release (or both for any) in a file cannot both be meant. */
export function checkBindingsDistinct(decls: readonly A.Decl[], r: Reporter, file: string): void {
  const seen = new Map<string, A.BindingDecl>();
  for (const d of decls) {
    if (d.kind !== "binding") continue;
    const kernel = d.items.find((i): i is A.BindingKernel => i.kind === "kernel")?.release.value;
    const key = `${d.symbol.text} ${kernel ?? "*"}`;
    const prior = seen.get(key);
    if (prior !== undefined) {
      r.error("duplicate-name", d.symbol.range, `${d.symbol.text} is already bound${kernel === undefined ? "" : ` for kernel ${kernel}`}`, [{ message: "bound here", file, range: prior.symbol.range }]);
    } else seen.set(key, d);
  }
}
