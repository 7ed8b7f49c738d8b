// Symbolic execution of a handler written as a TypeScript function over HypApi (a generated
// C-like variant, or a hand-written reference). The function is re-run once per path: at a
// symbolic branch not yet decided it takes the true way and leaves the false way, with its
// condition, for a later run; infeasible ways are dropped by the solver before they are run.
import type { HypApi, Outcome } from "../../runtime/hyp/api.ts";
import { UndefinedSysregAccess } from "../../runtime/machine/sysreg-access.ts";
import { ruleLine, type FunctionOrigin } from "../../runtime/run/function-target.ts";
import type { Checker } from "../solver.ts";
import type { Z3Bool } from "../z3.ts";
import type { SymBool, SymValue } from "./domain.ts";
import { ExplorationError } from "./exploration-error.ts";
import { ExplorationIncomplete, type SymbolicPath } from "./paths.ts";
import { SymbolicHypApi, SymbolicUnsupported, type SymbolicState } from "./state.ts";

export type SymbolicHandler = (h: HypApi<SymValue, SymBool>) => Outcome;

interface Pending {
  decisions: boolean[];
  conds: Z3Bool[];
}

/** Where a run of the function is: the line of the last rule it entered (its trace says), else its start. */
function currentLine(origin: FunctionOrigin, trace: readonly string[]): string {
  let line = origin.line;
  for (const t of trace) line = ruleLine(t) ?? line;
  return `${origin.file}:${line}`;
}

export async function exploreFunction(
  fn: SymbolicHandler,
  origin: FunctionOrigin,
  fresh: () => SymbolicState,
  checker: Checker,
  maxPaths = 4096,
): Promise<SymbolicPath[]> {
  const paths: SymbolicPath[] = [];
  const work: Pending[] = [{ decisions: [], conds: [] }];
  while (work.length > 0) {
    const p = work.pop()!;
    if (p.conds.length > 0) {
      const r = await checker.check(p.conds);
      if (r === "unknown") throw new ExplorationIncomplete("the solver could not decide a branch condition");
      if (r === "unsat") continue;
    }
    const state = fresh();
    const d = state.d;
    const decisions: boolean[] = [];
    const conds: Z3Bool[] = [];
    const api = new SymbolicHypApi(state, (cond) => {
      const i = decisions.length;
      const t = d.boolTerm(cond);
      const choice = i < p.decisions.length ? p.decisions[i] : true;
      if (i >= p.decisions.length) work.push({ decisions: [...decisions, false], conds: [...conds, d.ctx.Not(t) as Z3Bool] });
      decisions.push(choice);
      conds.push(choice ? t : (d.ctx.Not(t) as Z3Bool));
      return choice;
    });
    // An unsupported operation or an UNDEFINED access ends the run like an outcome does.
    let out: Outcome | SymbolicUnsupported | UndefinedSysregAccess;
    try {
      out = fn(api);
    } catch (e) {
      if (!(e instanceof SymbolicUnsupported || e instanceof UndefinedSysregAccess)) throw e;
      out = e;
    }
    // The true ways taken on this run were not checked: keep the path (or its failure) only if it is feasible.
    const r = await checker.check(conds);
    if (r === "unknown") throw new ExplorationIncomplete("the solver could not decide a path condition");
    if (r === "unsat") continue;
    if (out instanceof SymbolicUnsupported) throw new ExplorationIncomplete(out.message);
    if (out instanceof UndefinedSysregAccess) throw new ExplorationError(currentLine(origin, api.trace), out.message, [...state.caps]);
    paths.push({
      conds,
      outcome: out.kind === "exit" ? { kind: "exit", code: out.code } : out.kind === "retry" ? { kind: "retry" } : { kind: "handoff", target: out.target },
      state,
      steps: api.trace,
    });
    if (paths.length > maxPaths) throw new ExplorationIncomplete(`more than ${maxPaths} paths`);
  }
  return paths;
}
