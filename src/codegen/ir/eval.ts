// IR expressions evaluated over any bit-vector domain (the concrete one, or the prover's symbolic
// one): a contract's conditions over a finished run, and a binding's argument values and `when`
// over the inputs of a call. `input` is a system register's value when the handler started;
// `sysreg` (a binding's value read where the function is called) goes through `read`, which
// resolves the register's alternative and encoding as an mrs does; `field` is a recorded field's
// value when the handler ended. Nothing here reads memory or runs code.
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
      return evalBv(f.body, { ...env, vars });
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
    case "cap":
      return d.bool(env.caps.has(b.name));
    case "cmp": {
      const x = evalBv(b.a, env);
      const y = evalBv(b.b, env);
      switch (b.cmp) {
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
      break;
    }
    case "in": {
      const x = evalBv(b.a, env);
      let acc = d.false;
      for (const v of b.values) acc = d.orB(acc, d.eq(x, d.const(v, d.width(x))));
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
      const vars = new Map(p.params.map((x, i) => [x.id, evalBv(b.args[i], env)]));
      return evalBool(p.body, { ...env, vars });
    }
    case "bvar":
      throw new Error("internal: a boolean variable outside a handler");
  }
  throw new Error("internal: unknown condition");
}
