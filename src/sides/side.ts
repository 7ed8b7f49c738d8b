// A side: one handler, however it is written (a rule file's variant, an assembly file, a bundled
// reference, a function in an object file), opened once and seen two ways:
//   - concretely, as a HandlerTarget that runs a scenario on the machine model (`faultc run`,
//     counterexample replay, the sweep);
//   - symbolically, as what the equivalence checker explores: machine code (a program loaded
//     per capability set, and its entry) or a function over HypApi (run on a symbolic HypApi).
// Everything that consumes sides (src/equiv, src/cli) sees only this interface.
import type { IrContract, IrModule } from "../codegen/ir/types.ts";
import type { LoadedProgram } from "../runtime/asm/program.ts";
import type { HypApi, Outcome } from "../runtime/hyp/api.ts";
import type { FunctionOrigin } from "../runtime/run/function-target.ts";
import type { HandlerTarget, RecordLayout } from "../runtime/run/types.ts";
import type { SideKind, SideName } from "./name.ts";

/** Machine code: instructions the model's semantics execute, from `entry`. */
export interface MachineCodeView {
  readonly kind: "machine-code";
  /** The program with its alternatives patched for `caps` (the same one the concrete run uses). */
  load(caps: Iterable<string>): LoadedProgram;
  /** The label execution starts at. */
  readonly entry: string;
}

/** A function over HypApi, generic over the bit-vector domain, so that it runs on symbolic values too. */
export interface FunctionView {
  readonly kind: "function";
  readonly fn: <V, B>(h: HypApi<V, B>) => Outcome;
  /** Where its code is, for located errors: the file and the line it starts at. */
  readonly origin: FunctionOrigin;
}

export type SymbolicView = MachineCodeView | FunctionView;

export interface Side {
  /** The name as the user wrote it (reports and replay commands repeat it). */
  readonly label: string;
  readonly kind: SideKind;
  readonly name: SideName;
  /** The fault record in the vcpu structure: field -> offset, size. */
  readonly layout: RecordLayout;
  /** Every capability its code tests, sorted. */
  readonly capabilities: readonly string[];
  /** For a rule file's variant: the lowered module, and the handler's contract if it has one. */
  readonly module?: IrModule;
  readonly contract?: IrContract;
  /** The side as a run target on the machine model. */
  concrete(): HandlerTarget;
  readonly symbolic: SymbolicView;
}

/** Options of opening a side. */
export interface OpenOptions {
  /** Entry label of an assembly file (default el1_sync); other kinds refuse it. */
  entry?: string;
}
