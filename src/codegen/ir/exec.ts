// A handler's IR run directly over HypApi, as the C-like variant generated from it runs (ts/c-variant.ts):
// statements in order, a register read through its capability alternative, AT through the same
// save/translate/isb/read/restore sequence, records stored at their offsets, and each `rules`
// block entering the first rule whose guard holds (the last one without a test). What it adds is
// the trace: each rule tried, where it is in the rule file (the IR's origins), the value of its
// guard and the atoms that decided it, each statement's value, and the outcome. It is how `faultc
// explain` shows a decision path, and the same code runs in the browser; its results are checked
// against the generated variant's (test/explain/exec.test.ts).
import type { AtOperation, HypApi, Outcome } from "../../runtime/hyp/api.ts";
import { evalBool, evalBv, type IrEnv, type IrFrame, type IrObserver } from "./eval.ts";
import type * as I from "./types.ts";

/** One atom of a guard: a comparison, membership, capability or predicate call, with its value. */
export interface AtomTrace<V, B> {
  readonly atom: Extract<I.BoolExpr, { op: "cmp" | "in" | "cap" | "pred" }>;
  readonly value: B;
  readonly operands: readonly V[];
  /** The calls it was evaluated in, innermost first (undefined: the guard itself). */
  readonly frame: IrFrame | undefined;
}

export type ExecEvent<V, B> =
  /** A rule was considered: `guard` is its guard's value, or "otherwise" (no guard) or "last" (the rules before it cover every other input, so it is not tested). */
  | { readonly kind: "rule"; readonly rule: I.IrRule; readonly depth: number; readonly guard: B | "otherwise" | "last"; readonly atoms: readonly AtomTrace<V, B>[]; readonly entered: boolean }
  | { readonly kind: "stmt"; readonly stmt: I.Stmt; readonly depth: number; readonly value: V | B; readonly register?: string }
  | { readonly kind: "end"; readonly end: Exclude<I.Terminator, { kind: "decide" }>; readonly depth: number };

export interface HandlerExec<V, B> {
  readonly outcome: Outcome;
  readonly events: readonly ExecEvent<V, B>[];
  /** Each handler variable's value (let, AT results), by id. */
  readonly vars: ReadonlyMap<string, V>;
}

/** Runs `h` of `m` on `api`; each guard goes through api.branch, as in the generated variant. */
export function execHandler<V, B>(m: I.IrModule, h: I.IrHandler, api: HypApi<V, B>): HandlerExec<V, B> {
  const events: ExecEvent<V, B>[] = [];
  const vars = new Map<string, V>();
  const bvars = new Map<string, B>();
  const caps = new Set(h.capabilities.filter((c) => api.cap(c)));
  const registerRead = (reg: I.SysregChoice): string => (reg.alternative !== undefined && api.cap(reg.alternative.capability) ? reg.alternative.register : reg.base);
  let atoms: AtomTrace<V, B>[] | undefined;
  const observe: IrObserver<V, B> = {
    atom(atom, value, operands, frame) {
      atoms?.push({ atom, value, operands, frame });
    },
  };
  const env: IrEnv<V, B> = { d: api.d, input: (reg) => api.mrs(reg), read: (reg) => api.mrs(registerRead(reg)), caps, module: m, vars, bvars, observe };

  const block = (b: I.Block, depth: number): Outcome => {
    for (const s of b.stmts) {
      switch (s.kind) {
        case "let": {
          const v = evalBv(s.value, env);
          vars.set(s.id, v);
          events.push({ kind: "stmt", stmt: s, depth, value: v, ...(s.value.op === "sysreg" ? { register: registerRead(s.value.reg) } : {}) });
          break;
        }
        case "letBool": {
          const v = evalBool(s.value, env);
          bvars.set(s.id, v);
          events.push({ kind: "stmt", stmt: s, depth, value: v });
          break;
        }
        case "at": {
          const op: AtOperation = s.op.alternative !== undefined && api.cap(s.op.alternative.capability) ? s.op.alternative.op : s.op.base;
          const va = evalBv(s.address, env);
          const saved = s.preserve ? api.mrs("PAR_EL1") : undefined;
          api.at(op, va);
          api.isb();
          const par = api.mrs("PAR_EL1");
          if (saved !== undefined) api.msr("PAR_EL1", saved);
          vars.set(s.id, par);
          events.push({ kind: "stmt", stmt: s, depth, value: par, register: op });
          break;
        }
        case "record": {
          const f = h.record.fields.find((x) => x.name === s.field);
          if (f === undefined) throw new Error(`internal: no field ${s.field}`);
          const v = evalBv(s.value, env);
          api.storeVcpu(f.offset, f.size, f.width === f.size * 8 ? v : api.d.zeroExtend(v, f.size * 8));
          events.push({ kind: "stmt", stmt: s, depth, value: v });
          break;
        }
      }
    }
    const t = b.end;
    if (t.kind !== "decide") {
      events.push({ kind: "end", end: t, depth });
      switch (t.kind) {
        case "exit":
          return { kind: "exit", code: t.code, name: t.name };
        case "retry":
          return { kind: "retry" };
        case "handoff":
          return { kind: "handoff", target: t.target };
      }
    }
    for (let i = 0; i < t.rules.length; i++) {
      const r = t.rules[i];
      if (i === t.rules.length - 1) {
        events.push({ kind: "rule", rule: r, depth, guard: r.guard === undefined ? "otherwise" : "last", atoms: [], entered: true });
        api.enterRule(r.name, r.origin.line);
        return block(r.body, depth + 1);
      }
      atoms = [];
      const cond = r.guard === undefined ? api.d.true : evalBool(r.guard, env);
      const tried = atoms;
      atoms = undefined;
      const taken = r.guard === undefined ? true : api.branch(cond, r.name);
      events.push({ kind: "rule", rule: r, depth, guard: r.guard === undefined ? "otherwise" : cond, atoms: tried, entered: taken });
      if (taken) {
        api.enterRule(r.name, r.origin.line);
        return block(r.body, depth + 1);
      }
    }
    throw new Error(`internal: no rule of the block at ${t.origin.file}:${t.origin.line} was entered`);
  };

  const outcome = block(h.body, 0);
  return { outcome, events, vars };
}
