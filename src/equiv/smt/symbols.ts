// The symbols of the process's z3 context (constants and uninterpreted functions), each created
// once through here so that a solver reading terms as SMT-LIB 2 text can be told what they are:
// its declaration, and its sort for completing a model. Names identify symbols in a z3 context,
// so one name has one sort for the whole process.
import type { BvTerm, BoolTerm, TermContext } from "../term/term.ts";

export interface SymbolInfo {
  declaration: string;
  /** "bool", the width of a bit-vector constant, or a function's result width. */
  sort: "bool" | number;
  arity: number;
}

const symbols = new Map<string, SymbolInfo>();

function register(name: string, info: SymbolInfo): void {
  const known = symbols.get(name);
  if (known === undefined) symbols.set(name, info);
  else if (known.declaration !== info.declaration) throw new Error(`internal: symbol ${name} declared as ${known.declaration} and ${info.declaration}`);
}

/** A symbol's declaration and sort, if it was made here. */
export function symbolInfo(name: string): SymbolInfo | undefined {
  return symbols.get(name);
}

export function bitVecConstant(ctx: TermContext, name: string, width: number): BvTerm {
  register(name, { declaration: `(declare-fun ${name} () (_ BitVec ${width}))`, sort: width, arity: 0 });
  return ctx.BitVec.const(name, width) as BvTerm;
}

export function boolConstant(ctx: TermContext, name: string): BoolTerm {
  register(name, { declaration: `(declare-fun ${name} () Bool)`, sort: "bool", arity: 0 });
  return ctx.Bool.const(name) as BoolTerm;
}

/** An uninterpreted function from `from` bits to `to` bits. */
export function bitVecFunction(ctx: TermContext, name: string, from: number, to: number) {
  register(name, { declaration: `(declare-fun ${name} ((_ BitVec ${from})) (_ BitVec ${to}))`, sort: to, arity: 1 });
  return ctx.Function.declare(name, from, to);
}
