// Symbolic execution of an assembly program through the model's own instruction semantics
// (src/runtime/semantics), over the symbolic domain: the same code that runs concretely, so
// the interpreter and the prover cannot drift. A branch whose condition is symbolic forks the
// state when both ways are feasible. Each path carries a witness (a model of its condition) when
// it has one: the way the witness takes is feasible without asking, so only the other is asked.
import { formatLocation } from "../../runtime/asm/errors.ts";
import type { LoadedProgram } from "../../runtime/asm/program.ts";
import { UndefinedSysregAccess } from "../../runtime/machine/sysreg-access.ts";
import { externalHandlerName } from "../../runtime/run/outcomes.ts";
import { executeInstruction } from "../../runtime/semantics/execute.ts";
import type { Checker, Witness } from "../solver.ts";
import { answered, askFeasible, settled, type Asked } from "./asked.ts";
import type { BoolTerm } from "../term/term.ts";
import { isConcreteBool } from "./domain.ts";
import { ExplorationError } from "./exploration-error.ts";
import { ExplorationIncomplete, type PathOutcome, type SymbolicPath } from "./paths.ts";
import { SymbolicUnsupported, type SymbolicState } from "./state.ts";

export interface ExploreLimits {
  /** Instructions on one path. */
  maxSteps: number;
  /** Paths in all. */
  maxPaths: number;
}

export const DEFAULT_LIMITS: ExploreLimits = { maxSteps: 10_000, maxPaths: 4096 };

interface Pending {
  pc: number;
  state: SymbolicState;
  conds: BoolTerm[];
  steps: string[];
  witness: Witness | undefined;
  /** Where the path is in the tree of ways: the way taken (0) or not (1) at each fork so far. */
  order: number[];
  /** Set while the solver is asked whether this way is feasible at all. */
  asked?: Asked;
  /** The way ends the path (an exit taken): its outcome, made once the way is known feasible. */
  ends?: () => PathOutcome;
}

/** Depth-first order: the taken way's paths before the not-taken way's, at every fork. */
function treeOrder(x: readonly number[], y: readonly number[]): number {
  for (let i = 0; i < x.length && i < y.length; i++) if (x[i] !== y[i]) return x[i] - y[i];
  return x.length - y.length;
}

/**
 * Explores every feasible path from `entry`. When the solver is to be asked whether a way is
 * feasible, and the checker's session takes questions before earlier ones are answered, the
 * path goes on at once the way its witness takes, and the other way waits for its answer among
 * the ways to explore; while the solver answers, faultc explores. What runs next is decided
 * only by answers already handed over (the checker hands them over in the order asked, one per
 * turn), and the paths are returned in depth-first order, so the questions, their order and the
 * paths are the same on every run.
 */
export async function exploreProgram(
  program: LoadedProgram,
  entry: string,
  initial: SymbolicState,
  checker: Checker,
  limits: ExploreLimits = DEFAULT_LIMITS,
): Promise<SymbolicPath[]> {
  const start = program.labels.get(entry);
  if (start === undefined) throw new ExplorationError(program.file, `no label '${entry}' (the entry point) in the program`, [...program.capabilities]);
  const d = initial.d;
  const found: { path: SymbolicPath; order: number[] }[] = [];
  const work: Pending[] = [{ pc: start, state: initial, conds: [], steps: [], witness: undefined, order: [] }];
  const concurrent = checker.concurrent;

  const ask = (conds: BoolTerm[]): Asked => askFeasible(checker, conds, "branch condition");

  /** The next way to explore: the newest whose feasibility is known, else the oldest still asked, once answered. */
  const next = async (): Promise<Pending | undefined> => {
    for (;;) {
      if (work.length === 0) return undefined;
      let i = work.length - 1;
      while (i >= 0 && !answered(work[i].asked)) i--;
      if (i < 0) await work.find((w) => w.asked !== undefined)!.asked!.answer;
      else {
        const [p] = work.splice(i, 1);
        if (p.asked === undefined) return p;
        const way = await settled(p.asked);
        p.asked = undefined;
        if (!way.feasible) continue;
        p.witness = way.witness;
        return p;
      }
    }
  };

  const record = (p: Pending, outcome: PathOutcome): void => {
    found.push({ path: { conds: p.conds, outcome, state: p.state, steps: p.steps, ...(p.witness ? { witness: p.witness } : {}) }, order: p.order });
    if (found.length > limits.maxPaths) throw new ExplorationIncomplete(`more than ${limits.maxPaths} paths`);
  };

  for (let p = await next(); p !== undefined; p = await next()) {
    if (p.ends !== undefined) {
      record(p, p.ends());
      continue;
    }
    for (let n = 0; ; n++) {
      if (n >= limits.maxSteps) throw new ExplorationIncomplete(`a path runs longer than ${limits.maxSteps} instructions`);
      const insn = program.instructions[p.pc];
      if (insn === undefined) {
        const last = program.instructions[Number(p.steps[p.steps.length - 1])];
        throw new ExplorationError(last ? formatLocation(last.loc) : program.file, last ? `a path runs off the end of the program after '${last.text.trim()}'` : "the entry label is at the end of the program", [...initial.caps]);
      }
      p.steps.push(String(p.pc));
      let effect;
      try {
        effect = executeInstruction(d, p.state, insn.insn);
      } catch (e) {
        if (e instanceof SymbolicUnsupported) throw new ExplorationIncomplete(`${insn.text}: ${e.message}`);
        if (e instanceof UndefinedSysregAccess) throw new ExplorationError(formatLocation(insn.loc), `${insn.text}: ${e.message}`, [...initial.caps]);
        throw e;
      }
      if (effect.kind === "next") {
        p.pc++;
        continue;
      }
      const taken = effect;
      // An exit taken ends the path; its outcome is made only for a way known feasible.
      const ends =
        taken.kind === "branch"
          ? undefined
          : (): PathOutcome => {
              const o = taken.outcome;
              if (o.kind === "guest-exit") {
                const code = o.exitCode;
                if (!("c" in code)) throw new ExplorationIncomplete(`${insn.text}: the exit code is not a constant`);
                return { kind: "exit", code: code.c.value };
              }
              if (o.kind === "eret") return { kind: "retry" };
              if (o.kind === "handler") return { kind: "handoff", target: externalHandlerName(o.name, program.externalNames) };
              return o;
            };
      /** Sets `q` going the taken way (true) or the other, from this instruction. */
      const go = (q: Pending, way: boolean): Pending => {
        if (!way) q.pc++;
        else if (taken.kind === "branch") q.pc = taken.target;
        else q.ends = ends;
        return q;
      };
      const cond = taken.cond;
      let moved: Pending;
      if (!isConcreteBool(cond)) {
        const t = d.boolTerm(cond);
        const nt = d.notTerm(t);
        /** A copy of p going `way` from here, for later, once the solver says it is feasible. */
        const later = (way: boolean, asked: Asked): Pending =>
          go({ pc: p.pc, state: p.state.clone(), conds: [...p.conds, way ? t : nt], steps: [...p.steps], witness: undefined, order: [...p.order, way ? 0 : 1], asked }, way);
        const known = p.witness === undefined ? undefined : checker.decides(p.witness, t);
        if (known === undefined) {
          // No witness decides it: both ways are asked about, and each waits for its answer.
          const askedT = ask([...p.conds, t]);
          if (!concurrent) await askedT.answer;
          const notTaken = later(false, ask([...p.conds, nt]));
          if (!concurrent) await notTaken.asked!.answer;
          p.asked = askedT;
          p.conds.push(t);
          p.order.push(0);
          work.push(notTaken, go(p, true));
          break;
        }
        // The witness's way is feasible: the path goes on that way, and the other is asked about.
        const asked = ask([...p.conds, known ? nt : t]);
        if (!concurrent) await asked.answer;
        work.push(later(!known, asked));
        p.conds.push(known ? t : nt);
        p.order.push(known ? 0 : 1);
        moved = go(p, known);
      } else moved = go(p, cond.b);
      if (moved.ends !== undefined) {
        record(p, moved.ends());
        break;
      }
    }
  }
  return found.sort((x, y) => treeOrder(x.order, y.order)).map((f) => f.path);
}
