// Contract expressions (IR) evaluated over a symbolic run: a register's name means its value
// when the handler started, a field's name its value when it ended.
import type * as I from "../codegen/ir/types.ts";
import type { SymbolicDomain, SymBool, SymValue } from "./symbolic/domain.ts";

export interface IrEnv {
  d: SymbolicDomain;
  /** A system register's value when the handler started. */
  input(reg: string): SymValue;
  caps: ReadonlySet<string>;
  /** A recorded field's final value, zero-extended to its IR width; undefined if the side has none. */
  field(name: string, width: number): SymValue;
  module: I.IrModule | undefined;
  vars?: Map<string, SymValue>;
}

export function evalBv(e: I.BvExpr, env: IrEnv): SymValue {
  const d = env.d;
  switch (e.op) {
    case "const":
      return d.const(e.value, e.width);
    case "input":
      return d.extract(env.input(e.reg), e.width - 1, 0);
    case "field":
      return env.field(e.name, e.width);
    case "var": {
      const v = env.vars?.get(e.id);
      if (v === undefined) throw new Error(`internal: unbound ${e.id} in a contract`);
      return v;
    }
    case "sysreg":
      throw new Error("internal: a register read in a contract");
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

export function evalBool(b: I.BoolExpr, env: IrEnv): SymBool {
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
      throw new Error("internal: a boolean variable in a contract");
  }
  throw new Error("internal: unknown condition");
}
