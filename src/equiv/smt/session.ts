// A solver session: assertions added once, satisfiability checked under assumptions (Boolean
// constants), and the model of the last satisfiable check. Two kinds: z3-solver's WebAssembly
// build in the process (wasm.ts), and a native solver through a pipe (native.ts).
import type { BvTerm, BoolTerm } from "../term/term.ts";

export type SatResult = "sat" | "unsat" | "unknown";

/** What the model consumers need of a model: a term's value, printed as z3 prints values (#x..., true). */
export interface SolverModel {
  eval(t: BoolTerm | BvTerm, modelCompletion?: boolean): { toString(): string };
}

export interface SolverSession {
  /** Which solver: "wasm" (z3-solver), "z3" or "cvc5" (native). */
  readonly backend: "wasm" | "z3" | "cvc5";
  /** The solver's own words for itself, for reports ("z3 4.8.12 (native)"). */
  readonly description: string;
  assert(t: BoolTerm): void;
  /**
   * Asserts that `name`, a Boolean constant no assertion has named yet, equals `t`: a name for
   * `t` that a native solver's text then writes wherever `t` is a subterm, rather than `t` whole
   * again (the checker's guards: each condition's text is sent once).
   */
  define(name: BoolTerm, t: BoolTerm): void;
  check(assumptions: readonly BoolTerm[]): Promise<SatResult>;
  /** A check and, when it is "sat" and `applications` are given, its model (see model()). */
  checkWithModel(assumptions: readonly BoolTerm[], applications: readonly BvTerm[] | undefined): Promise<{ result: SatResult; model?: SolverModel }>;
  /** The model of the last check, which was "sat"; `applications` are the uninterpreted-function terms to read. */
  model(applications: readonly BvTerm[]): Promise<SolverModel>;
  release(): void;
}
