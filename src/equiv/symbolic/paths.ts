// One path through a handler, as symbolic execution finds it: the conditions under which it is
// taken, how it ends, and the machine state it ends in.
import type { Z3Bool } from "../z3.ts";
import type { SymbolicState } from "./state.ts";

export type PathOutcome = { kind: "exit"; code: bigint } | { kind: "retry" } | { kind: "handoff"; target: string };

export function outcomeKey(o: PathOutcome): string {
  return o.kind === "exit" ? `exit 0x${o.code.toString(16)}` : o.kind === "retry" ? "retry" : `handoff ${o.target}`;
}

export interface SymbolicPath {
  /** The path condition: all of these hold on the inputs that take this path. */
  conds: Z3Bool[];
  outcome: PathOutcome;
  state: SymbolicState;
  /** What the path did, for reports: rules entered and branches, or instruction indices. */
  steps: string[];
}

/** The handler could not be explored completely (step limit, unsupported operation, solver gave up). */
export class ExplorationIncomplete extends Error {}
