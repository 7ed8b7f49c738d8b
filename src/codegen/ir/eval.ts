// IR expressions evaluated over any bit-vector domain (the concrete one, or the prover's symbolic
// one): a contract's conditions over a finished run, and a binding's argument values and `when`
// over the inputs of a call. `input` is a system register's value when the handler started;
// `sysreg` (a binding's value read where the function is called) goes through `read`, which
// resolves the register's alternative and encoding as an mrs does; `field` is a recorded field's
// value when the handler ended. Nothing here reads memory or runs code; a handler's blocks are run
// by exec.ts, which uses these for every expression and watches conditions through `observe`.
import type { BitVecDomain } from "../../runtime/semantics/domain.ts";
import type * as I from "./types.ts";

export interface IrEnv<V, B> {
  d: BitVecDomain<V, B>;
  /** A system register's value when the handler started. */
  input(reg: string): V;
  /** A read of the register `reg` chooses, where the expression stands; absent where no register is read (contracts). */
  read?(reg: I.SysregChoice): V;
  caps: ReadonlySet<string>;
  /** A recorded field's final value, zero-extended to its IR width; absent where no field has a value yet. */
  field?(name: string, width: number): V;
  /** The module whose functions and predicates calls name. */
  module: I.IrModule | undefined;
  vars?: Map<string, V>;
  /** Boolean bindings (a handler's `let` of a condition). */
  bvars?: Map<string, B>;
  /** Told of every atom of a condition as it is evaluated (rule-level traces, exec.ts). */
  observe?: IrObserver<V, B>;
  /** The function or predicate call being evaluated, innermost first; absent at the top. */
  frame?: IrFrame;
}

/** A call of a function or predicate: its parameters are bound to `args`, evaluated in `parent`. */
export interface IrFrame {
  callee: string;
  params: readonly I.IrParam[];
  args: readonly I.BvExpr[];
  parent: IrFrame | undefined;
}

/**
 * Where a condition's value comes from: each comparison, set membership, capability test and
 * predicate call, with its value and its operands' values (a predicate's: its arguments'), told
 * after it is evaluated, in evaluation order, with the frame its variables are bound in.
 */
export interface IrObserver<V, B> {
  atom(b: Extract<I.BoolExpr, { op: "cmp" | "in" | "cap" | "pred" }>, value: B, operands: readonly V[], frame: IrFrame | undefined): void;
}

function framed<V, B>(env: IrEnv<V, B>, callee: string, params: readonly I.IrParam[], args: readonly I.BvExpr[]): IrFrame | undefined {
  return env.observe === undefined ? undefined : { callee, params, args, parent: env.frame };
}

export function evalBv<V, B>(e: I.BvExpr, env: IrEnv<V, B>): V {
  const d = env.d;
  switch (e.op) {
    case "const":
      return d.const(e.value, e.width);
    case "input":
      return d.extract(env.input(e.reg), e.width - 1, 0);
    case "field":
      if (env.field === undefined) throw new Error(`internal: field ${e.name} where no field has a value`);
      return env.field(e.name, e.width);
    case "var": {
      const v = env.vars?.get(e.id);
      if (v === undefined) throw new Error(`internal: unbound ${e.id}`);
      return v;
    }
    case "sysreg":
      if (env.read === undefined) throw new Error("internal: a register read where none is made (a contract)");
      return d.extract(env.read(e.reg), e.width - 1, 0);
    case "not":
      return d.not(evalBv(e.a, env));
    case "neg":
      return d.sub(d.const(0n, e.width), evalBv(e.a, env));
    case "and":
    case "or":
    case "xor":
    case "add":
    case "sub":
      return d[e.op](evalBv(e.a, env), evalBv(e.b, env));
    case "shl":
    case "lshr":
      return d[e.op](evalBv(e.a, env), e.amount);
    case "extract":
      return d.extract(evalBv(e.a, env), e.lo + e.width - 1, e.lo);
    case "zext":
      return d.zeroExtend(evalBv(e.a, env), e.width);
    case "sext":
      return d.signExtend(evalBv(e.a, env), e.width);
    case "call": {
      const f = env.module?.functions.find((x) => x.name === e.fn);
      if (f === undefined) throw new Error(`internal: unknown function ${e.fn}`);
      const vars = new Map(f.params.map((p, i) => [p.id, evalBv(e.args[i], env)]));
      return evalBv(f.body, { ...env, vars, frame: framed(env, f.name, f.params, e.args) });
    }
  }
}

export function evalBool<V, B>(b: I.BoolExpr, env: IrEnv<V, B>): B {
  const d = env.d;
  switch (b.op) {
    case "true":
      return d.true;
    case "false":
      return d.false;
    case "cap": {
      const value = d.bool(env.caps.has(b.name));
      env.observe?.atom(b, value, [], env.frame);
      return value;
    }
    case "cmp": {
      const x = evalBv(b.a, env);
      const y = evalBv(b.b, env);
      const value = compare(d, b.cmp, x, y);
      env.observe?.atom(b, value, [x, y], env.frame);
      return value;
    }
    case "in": {
      const x = evalBv(b.a, env);
      let acc = d.false;
      for (const v of b.values) acc = d.orB(acc, d.eq(x, d.const(v, d.width(x))));
      env.observe?.atom(b, acc, [x], env.frame);
      return acc;
    }
    case "not":
      return d.notB(evalBool(b.a, env));
    case "and":
      return d.andB(evalBool(b.a, env), evalBool(b.b, env));
    case "or":
      return d.orB(evalBool(b.a, env), evalBool(b.b, env));
    case "pred": {
      const p = env.module?.predicates.find((x) => x.name === b.name);
      if (p === undefined) throw new Error(`internal: unknown predicate ${b.name}`);
      const args = b.args.map((a) => evalBv(a, env));
      const vars = new Map(p.params.map((x, i) => [x.id, args[i]]));
      const value = evalBool(p.body, { ...env, vars, frame: framed(env, p.name, p.params, b.args) });
      env.observe?.atom(b, value, args, env.frame);
      return value;
    }
    case "bvar": {
      const v = env.bvars?.get(b.id);
      if (v === undefined) throw new Error(`internal: unbound condition ${b.id}`);
      return v;
    }
  }
  throw new Error("internal: unknown condition");
}

function compare<V, B>(d: BitVecDomain<V, B>, cmp: I.CmpOp, x: V, y: V): B {
  switch (cmp) {
    case "eq":
      return d.eq(x, y);
    case "ne":
      return d.notB(d.eq(x, y));
    case "ult":
      return d.ult(x, y);
    case "ule":
      return d.ule(x, y);
    case "ugt":
      return d.ult(y, x);
    case "uge":
      return d.ule(y, x);
  }
}
