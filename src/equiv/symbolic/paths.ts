// One path through a handler, as symbolic execution finds it: the conditions under which it is
// taken, how it ends, and the machine state it ends in.
import type { Witness } from "../solver.ts";
import type { BoolTerm } from "../term/term.ts";
import type { SymValue } from "./domain.ts";
import type { SymbolicState } from "./state.ts";

export type PathOutcome =
  | { kind: "exit"; code: bigint }
  | { kind: "retry" }
  | { kind: "handoff"; target: string }
  /** A function's ret: its result is x0 of the final state; `target` is where it returned (X[n]). */
  | { kind: "return"; target: SymValue }
  /** brk #imm16 (the kernel's BUG()). */
  | { kind: "breakpoint"; imm16: number }
  /** A function returned to its caller a value its binding maps to no outcome (any such value: one outcome). */
  | { kind: "unmapped"; value: SymValue };

/** The outcome key of every returned value a function's binding does not map. */
export const UNMAPPED_RETURN = "returns a value its binding does not map";

export function outcomeKey(o: PathOutcome): string {
  switch (o.kind) {
    case "exit": return `exit 0x${o.code.toString(16)}`;
    case "retry": return "retry";
    case "handoff": return `handoff ${o.target}`;
    case "return": return "return";
    case "breakpoint": return `brk #0x${o.imm16.toString(16)}`;
    case "unmapped": return UNMAPPED_RETURN;
  }
}

export interface SymbolicPath {
  /** The path condition: all of these hold on the inputs that take this path. */
  conds: BoolTerm[];
  outcome: PathOutcome;
  state: SymbolicState;
  /** What the path did, for reports: rules entered and branches, or instruction indices. */
  steps: string[];
  /** A function's path that returned to its caller (its outcome is what its binding makes of the value). */
  returned?: boolean;
  /** A model of the path condition and the background, when the exploration kept one (checker.current(w) says whether it still is). */
  witness?: Witness;
}

/** The handler could not be explored completely (step limit, unsupported operation, solver gave up). */
export class ExplorationIncomplete extends Error {}
