// Symbolic execution of a function called as its caller calls it (an object function with a
// binding, src/runtime/run/function-call-target.ts does the same concretely): the argument
// registers set from the symbolic inputs by the binding's own expressions, x30 the caller's
// return address, then the machine code explored as any program is. A path that returns there
// gets its outcome from the value returned: one path per value the binding maps (with that
// value as a further condition) and one for all other values, each only if some input takes it
// (the value the path's witness returns needs no question).
import { formatLocation } from "../../runtime/asm/errors.ts";
import type { LoadedProgram } from "../../runtime/asm/program.ts";
import { CALLER_RETURN_ADDRESS, type CallInputs, type FunctionCall } from "../../runtime/run/function-call-target.ts";
import type { Checker, Witness } from "../solver.ts";
import type { BoolTerm } from "../term/term.ts";
import { isConcrete, isConcreteBool, type SymValue } from "./domain.ts";
import { exploreProgram } from "./explore-asm.ts";
import { ExplorationError } from "./exploration-error.ts";
import { SYM_VCPU, type SymbolicInputs } from "./inputs.ts";
import { ExplorationIncomplete, type PathOutcome, type SymbolicPath } from "./paths.ts";
import { SymbolicState } from "./state.ts";

/** The call's inputs over the symbolic domain: the trap's registers, read through `state` for an mrs. */
export function symbolicCallInputs(inputs: SymbolicInputs, caps: ReadonlySet<string>): CallInputs<SymValue> {
  const state = new SymbolicState(inputs, caps);
  return {
    sysreg: (name) => inputs.sysreg(name),
    mrs: (name) => state.readSysreg(state.resolveSysreg(name, "read")),
    caps,
    vcpu: inputs.d.const(SYM_VCPU, 64),
  };
}

export async function exploreCall(program: LoadedProgram, entry: string, call: FunctionCall, inputs: SymbolicInputs, caps: ReadonlySet<string>, checker: Checker): Promise<SymbolicPath[]> {
  const d = inputs.d;
  const initial = new SymbolicState(inputs, caps);
  for (const [i, v] of call.entryRegisters(d, symbolicCallInputs(inputs, caps))) initial.writeX(i, v);
  initial.writeX(30, d.const(CALLER_RETURN_ADDRESS, 64));
  const out: SymbolicPath[] = [];
  const feasible = async (conds: BoolTerm[]): Promise<Witness | false> => {
    const r = await checker.witness(conds, true);
    if (r.result === "unknown") throw new ExplorationIncomplete("the solver could not decide which value a function returns");
    return r.result === "sat" && r.witness !== undefined && r.witness;
  };
  for (const p of await exploreProgram(program, entry, initial, checker)) {
    if (p.outcome.kind !== "return") {
      out.push(p);
      continue;
    }
    const target = p.outcome.target;
    if (!isConcrete(target) || target.c.value !== CALLER_RETURN_ADDRESS) {
      const last = program.instructions[Number(p.steps[p.steps.length - 1])];
      const to = isConcrete(target) ? `0x${target.c.value.toString(16)}` : "an address that depends on the inputs";
      throw new ExplorationError(formatLocation(last.loc), `'${last.text.trim()}' returns to ${to}, not to the caller (x30 was 0x${CALLER_RETURN_ADDRESS.toString(16)} at the call)`, [...caps]);
    }
    const x0 = p.state.readX(0);
    const value = call.returns.width === 32 ? d.extract(x0, 31, 0) : x0;
    const others: BoolTerm[] = [];
    const path = (conds: BoolTerm[], outcome: PathOutcome, witness: Witness | undefined): SymbolicPath => ({ conds, outcome, state: p.state, steps: p.steps, returned: true, ...(witness ? { witness } : {}) });
    /** Whether the path's witness has `c` hold: then it is a witness of the path with `c` too. */
    const holds = (c: BoolTerm): boolean => p.witness !== undefined && checker.decides(p.witness, c) === true;
    let decided = false;
    for (const c of call.returns.cases) {
      const is = d.eq(value, d.const(c.value, call.returns.width));
      const outcome: PathOutcome = c.outcome.kind === "exit" ? { kind: "exit", code: c.outcome.code } : c.outcome;
      if (isConcreteBool(is)) {
        if (is.b) {
          out.push(path(p.conds, outcome, p.witness));
          decided = true;
          break;
        }
        continue;
      }
      const t = d.boolTerm(is);
      const w = holds(t) ? p.witness : await feasible([...p.conds, t]);
      if (w) out.push(path([...p.conds, t], outcome, w));
      others.push(d.ctx.Not(t) as BoolTerm);
    }
    if (!decided) {
      const w = others.every(holds) ? p.witness : await feasible([...p.conds, ...others]);
      if (w) out.push(path([...p.conds, ...others], { kind: "unmapped", value }, w));
    }
  }
  return out;
}
