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
import type { BoolTerm } from "../term/term.ts";
import { isConcreteBool, type SymBool } from "./domain.ts";
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
}

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
  const paths: SymbolicPath[] = [];
  const work: Pending[] = [{ pc: start, state: initial, conds: [], steps: [], witness: undefined }];

  type Way = { feasible: boolean; witness: Witness | undefined };
  /** Which ways of `cond` are feasible on path `p`, each with a witness when it is. */
  const ways = async (cond: SymBool, p: Pending): Promise<{ taken: Way; notTaken: Way }> => {
    if (isConcreteBool(cond)) return { taken: { feasible: cond.b, witness: p.witness }, notTaken: { feasible: !cond.b, witness: p.witness } };
    const t = d.boolTerm(cond);
    const nt = d.notTerm(t);
    const ask = async (c: BoolTerm): Promise<Way> => {
      const r = await checker.witness([...p.conds, c], true);
      if (r.result === "unknown") throw new ExplorationIncomplete("the solver could not decide a branch condition");
      return { feasible: r.result === "sat", witness: r.witness };
    };
    const known = p.witness === undefined ? undefined : checker.decides(p.witness, t);
    if (known === true) return { taken: { feasible: true, witness: p.witness }, notTaken: await ask(nt) };
    if (known === false) return { taken: await ask(t), notTaken: { feasible: true, witness: p.witness } };
    return { taken: await ask(t), notTaken: await ask(nt) };
  };

  while (work.length > 0) {
    const p = work.pop()!;
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
      const w = await ways(effect.cond, p);
      const cond = isConcreteBool(effect.cond) ? undefined : d.boolTerm(effect.cond);
      if (w.taken.feasible && w.notTaken.feasible) {
        // Fork: the not-taken way continues later from a copy.
        work.push({ pc: p.pc + 1, state: p.state.clone(), conds: [...p.conds, d.notTerm(cond!)], steps: [...p.steps], witness: w.notTaken.witness });
        p.conds.push(cond!);
        p.witness = w.taken.witness;
      } else if (!w.taken.feasible) {
        p.witness = w.notTaken.witness;
        p.pc++;
        continue;
      } else p.witness = w.taken.witness;
      if (effect.kind === "branch") {
        p.pc = effect.target;
        continue;
      }
      // An exit, taken.
      let outcome: PathOutcome;
      const o = effect.outcome;
      if (o.kind === "guest-exit") {
        const code = o.exitCode;
        if (!("c" in code)) throw new ExplorationIncomplete(`${insn.text}: the exit code is not a constant`);
        outcome = { kind: "exit", code: code.c.value };
      } else if (o.kind === "eret") outcome = { kind: "retry" };
      else if (o.kind === "handler") outcome = { kind: "handoff", target: externalHandlerName(o.name, program.externalNames) };
      else outcome = o;
      paths.push({ conds: p.conds, outcome, state: p.state, steps: p.steps, ...(p.witness ? { witness: p.witness } : {}) });
      if (paths.length > limits.maxPaths) throw new ExplorationIncomplete(`more than ${limits.maxPaths} paths`);
      break;
    }
  }
  return paths;
}
