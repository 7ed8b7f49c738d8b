// Symbolic execution of a handler written as a TypeScript function over HypApi (a generated
// C-like variant, or a hand-written reference). The function is re-run once per path: at a
// symbolic branch not yet decided it takes the true way and leaves the false way, with its
// condition, for a later run; infeasible ways are dropped by the solver before they are run.
// A run starts from a model of the decisions it replays (its witness): at a new branch the
// witness tells whether the true way is feasible (no question then), and when it is not, that
// the false way is (its run needs no check). Only decisions the witness does not bear out cost
// a check at the end of the run.
import type { HypApi, Outcome } from "../../runtime/hyp/api.ts";
import { UndefinedSysregAccess } from "../../runtime/machine/sysreg-access.ts";
import { ruleLine, type FunctionOrigin } from "../../runtime/run/function-target.ts";
import type { Checker, Witness } from "../solver.ts";
import type { BoolTerm } from "../term/term.ts";
import type { SymBool, SymValue } from "./domain.ts";
import { ExplorationError } from "./exploration-error.ts";
import { ExplorationIncomplete, type SymbolicPath } from "./paths.ts";
import { SymbolicHypApi, SymbolicUnsupported, type SymbolicState } from "./state.ts";

export type SymbolicHandler = (h: HypApi<SymValue, SymBool>) => Outcome;

interface Pending {
  decisions: boolean[];
  conds: BoolTerm[];
  /** A model of `conds`, when one is known: the run needs no check before it starts. */
  witness: Witness | undefined;
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
  const work: Pending[] = [{ decisions: [], conds: [], witness: undefined }];
  while (work.length > 0) {
    const p = work.pop()!;
    let witness = p.witness !== undefined && checker.current(p.witness) ? p.witness : undefined;
    if (witness === undefined && p.conds.length > 0) {
      const r = await checker.witness(p.conds, true);
      if (r.result === "unknown") throw new ExplorationIncomplete("the solver could not decide a branch condition");
      if (r.result === "unsat") continue;
      witness = r.witness;
    }
    const state = fresh();
    const d = state.d;
    const decisions: boolean[] = [];
    const conds: BoolTerm[] = [];
    /** Whether the witness is a model of every decision of this run so far. */
    let borneOut = witness !== undefined || p.conds.length === 0;
    const api = new SymbolicHypApi(state, (cond) => {
      const i = decisions.length;
      const t = d.boolTerm(cond);
      const choice = i < p.decisions.length ? p.decisions[i] : true;
      if (i >= p.decisions.length) {
        const known = borneOut && witness !== undefined ? checker.decides(witness, t) : undefined;
        // The witness takes the false way: that run is feasible, this one (true) is not known to be.
        work.push({ decisions: [...decisions, false], conds: [...conds, d.notTerm(t)], witness: known === false ? witness : undefined });
        if (known !== true) borneOut = false;
      }
      decisions.push(choice);
      conds.push(choice ? t : d.notTerm(t));
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
    // True ways the witness does not bear out were not checked: keep the path (or its failure) only if it is feasible.
    if (!borneOut || witness === undefined || !checker.current(witness)) {
      const r = await checker.witness(conds, true);
      if (r.result === "unknown") throw new ExplorationIncomplete("the solver could not decide a path condition");
      if (r.result === "unsat") continue;
      witness = r.witness;
    }
    if (out instanceof SymbolicUnsupported) throw new ExplorationIncomplete(out.message);
    if (out instanceof UndefinedSysregAccess) throw new ExplorationError(currentLine(origin, api.trace), out.message, [...state.caps]);
    paths.push({
      conds,
      outcome: out.kind === "exit" ? { kind: "exit", code: out.code } : out.kind === "retry" ? { kind: "retry" } : { kind: "handoff", target: out.target },
      state,
      steps: api.trace,
      ...(witness ? { witness } : {}),
    });
    if (paths.length > maxPaths) throw new ExplorationIncomplete(`more than ${maxPaths} paths`);
  }
  return paths;
}
