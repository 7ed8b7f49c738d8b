// A solver session: assertions added once, satisfiability checked under assumptions (Boolean
// constants), and the model of the last satisfiable check. Two kinds: z3-solver's WebAssembly
// build in the process (wasm.ts), and a native solver through a pipe (native.ts).
import type { Z3BitVec, Z3Bool } from "../z3.ts";

export type SatResult = "sat" | "unsat" | "unknown";

/** What the model consumers need of a model: a term's value, printed as z3 prints values (#x..., true). */
export interface SolverModel {
  eval(t: Z3Bool | Z3BitVec, modelCompletion?: boolean): { toString(): string };
}

export interface SolverSession {
  /** Which solver: "wasm" (z3-solver), "z3" or "cvc5" (native). */
  readonly backend: "wasm" | "z3" | "cvc5";
  /** The solver's own words for itself, for reports ("z3 4.8.12 (native)"). */
  readonly description: string;
  assert(t: Z3Bool): void;
  check(assumptions: readonly Z3Bool[]): Promise<SatResult>;
  /** The model of the last check, which was "sat"; `applications` are the uninterpreted-function terms to read. */
  model(applications: readonly Z3BitVec[]): Promise<SolverModel>;
  release(): void;
}
