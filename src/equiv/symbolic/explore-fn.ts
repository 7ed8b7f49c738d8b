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
import { answered, askFeasible, settled, type Asked } from "./asked.ts";
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
  /** Set while the solver is asked whether `conds` are feasible. */
  asked?: Asked;
}

/** Depth-first order of the runs: the true way's before the false way's, at every decision. */
function decisionOrder(x: readonly boolean[], y: readonly boolean[]): number {
  for (let i = 0; i < x.length && i < y.length; i++) if (x[i] !== y[i]) return x[i] ? -1 : 1;
  return x.length - y.length;
}

/** Where a run of the function is: the line of the last rule it entered (its trace says), else its start. */
function currentLine(origin: FunctionOrigin, trace: readonly string[]): string {
  let line = origin.line;
  for (const t of trace) line = ruleLine(t) ?? line;
  return `${origin.file}:${line}`;
}

/**
 * Every feasible path of `fn`. On a checker that takes questions before earlier ones are
 * answered, a run whose feasibility is asked about waits for its answer among the runs to make,
 * and the next run is made meanwhile; what runs next depends only on answers already handed
 * over, and the paths are returned in depth-first order, so every run asks the same.
 */
export async function exploreFunction(
  fn: SymbolicHandler,
  origin: FunctionOrigin,
  fresh: () => SymbolicState,
  checker: Checker,
  maxPaths = 4096,
): Promise<SymbolicPath[]> {
  const concurrent = checker.concurrent;
  const ask = (conds: BoolTerm[], what: string): Asked => askFeasible(checker, conds, what);

  /** Runs made whose feasibility may still be asked about, with what makes their path. */
  const runs: { decisions: boolean[]; asked: Asked | undefined; witness: Witness | undefined; make: (witness: Witness | undefined) => SymbolicPath }[] = [];
  const work: Pending[] = [{ decisions: [], conds: [], witness: undefined }];
  /**
   * The next run to make, with a witness when one is known: the newest way that needs no
   * question, or whose answer is in. The ways above it that need a question are asked on the way
   * down to it, newest first; when no way is ready, the oldest asked is waited for.
   */
  const next = async (): Promise<{ p: Pending; witness: Witness | undefined } | undefined> => {
    for (;;) {
      if (work.length === 0) return undefined;
      let i = work.length - 1;
      for (; i >= 0; i--) {
        const p = work[i];
        if (p.asked === undefined) {
          const witness = p.witness !== undefined && checker.current(p.witness) ? p.witness : undefined;
          if (witness !== undefined || p.conds.length === 0) {
            work.splice(i, 1);
            return { p, witness };
          }
          p.asked = ask(p.conds, "branch condition");
          if (!concurrent) await p.asked.answer;
        }
        if (answered(p.asked)) break;
      }
      if (i < 0) {
        await work[0].asked!.answer;
        continue;
      }
      const [p] = work.splice(i, 1);
      const r = await settled(p.asked!);
      if (r.feasible) return { p, witness: r.witness };
    }
  };

  for (let n = await next(); n !== undefined; n = await next()) {
    const { p } = n;
    let witness = n.witness;
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
    const ended = out;
    // The path (or its failure), once the run is known feasible.
    const make = (w: Witness | undefined): SymbolicPath => {
      if (ended instanceof SymbolicUnsupported) throw new ExplorationIncomplete(ended.message);
      if (ended instanceof UndefinedSysregAccess) throw new ExplorationError(currentLine(origin, api.trace), ended.message, [...state.caps]);
      return {
        conds,
        outcome: ended.kind === "exit" ? { kind: "exit", code: ended.code } : ended.kind === "retry" ? { kind: "retry" } : { kind: "handoff", target: ended.target },
        state,
        steps: api.trace,
        ...(w ? { witness: w } : {}),
      };
    };
    // True ways the witness does not bear out were not checked: the path is kept (or its failure) only if it is feasible.
    if (!borneOut || witness === undefined || !checker.current(witness)) {
      const asked = ask(conds, "path condition");
      if (!concurrent) await asked.answer;
      runs.push({ decisions, asked, witness: undefined, make });
    } else runs.push({ decisions, asked: undefined, witness, make });
    if (runs.length > maxPaths) {
      // Too many runs only once too many of them are feasible.
      let feasible = 0;
      for (const r of runs) if (r.asked === undefined || (await settled(r.asked)).feasible) feasible++;
      if (feasible > maxPaths) throw new ExplorationIncomplete(`more than ${maxPaths} paths`);
    }
  }
  const paths: SymbolicPath[] = [];
  for (const r of runs.sort((x, y) => decisionOrder(x.decisions, y.decisions))) {
    if (r.asked === undefined) paths.push(r.make(r.witness));
    else {
      const a = await settled(r.asked);
      if (a.feasible) paths.push(r.make(a.witness));
    }
  }
  return paths;
}
